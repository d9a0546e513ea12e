/** The human reference of an incident, e.g. INC-0042. */
export const incidentRef = (seq: number) => `INC-${String(seq).padStart(4, '0')}`;
