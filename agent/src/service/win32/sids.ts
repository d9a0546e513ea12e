/** The well-known SIDs a Windows service's data may be open to: LocalSystem and the Administrators group. */
export const windowsSids = { system: 'S-1-5-18', administrators: 'S-1-5-32-544' } as const;
