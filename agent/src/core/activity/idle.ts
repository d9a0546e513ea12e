/**
 * Tells whether the user has been idle for at least a threshold, asking the OS as seldom
 * as the answer allows. Idle time grows by at most one second a second (input resets it),
 * so after reading `i` seconds at time t the user cannot reach `threshold` before
 * t + (threshold − i): until then the answer is "not idle" without asking. While the user
 * is active that is one question every `threshold` seconds instead of one a sample; on
 * Linux each question starts a process (xprintidle), which was a third of the agent's
 * sampling cost (docs/benchmarks.md). Once idle, every call asks, so the return of the
 * user is seen at the next sample.
 */
export class IdleBound {
  private known: { seconds: number; at: number } | null = null;

  constructor(
    private readonly read: () => Promise<number | null>,
    private readonly now: () => number = Date.now,
  ) {}

  async atLeast(threshold: number): Promise<boolean> {
    const now = this.now();
    if (this.known && this.known.seconds + (now - this.known.at) / 1000 < threshold) return false;
    const seconds = await this.read();
    // Unknown (no idle probe on this desktop): treated as active, and asked again next time.
    this.known = seconds === null ? null : { seconds, at: now };
    return seconds !== null && seconds >= threshold;
  }

  /** Forgets what was read (a session change: another user, another idle counter). */
  reset(): void {
    this.known = null;
  }
}
