/** A setting that could not be used. The agent keeps running on the rest. */
export interface ConfigProblem {
  /** Stable code, reported to the dashboard as a health problem (`config.invalid.serverUrl`). */
  code: string;
  /** The source it came from, as shown to technicians. */
  source: string;
  key?: string;
  message: string;
}
