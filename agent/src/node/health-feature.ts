/**
 * Tells the server what is wrong with this agent (`agent:health`): settings that could
 * not be used, probes that fail. Other features report through `set`/`clear` with
 * their own codes (e.g. `probe.screen-capture`); the full list is re-sent on every
 * connection and whenever it changes, so the dashboard always shows the current state.
 */
import type { HealthProblem } from '@harbour/shared';
import type { AgentContext, AgentFeature } from '../core/feature.js';
import type { PlatformProbes } from '../platform/probes.js';

export class HealthReporter implements AgentFeature {
  readonly name = 'health';
  private readonly problems = new Map<string, string>();
  private context: AgentContext | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    initial: readonly HealthProblem[] = [],
    private readonly probes?: PlatformProbes,
  ) {
    for (const p of initial) this.problems.set(p.code, p.message.slice(0, 500));
  }

  get current(): HealthProblem[] {
    return [...this.problems].map(([code, message]) => ({ code, message }));
  }

  set(code: string, message: string): void {
    if (this.problems.get(code) === message) return;
    this.problems.set(code, message.slice(0, 500));
    this.changed();
  }

  clear(code: string): void {
    if (this.problems.delete(code)) this.changed();
  }

  async start(context: AgentContext): Promise<void> {
    this.context = context;
    await this.checkProbes();
  }

  onConnect(): Promise<void> {
    return this.send();
  }

  /** A probe that throws is a problem the technician must see (permissions, missing tools). */
  private async checkProbes(): Promise<void> {
    if (!this.probes) return;
    try {
      await this.probes.currentUser();
      this.clear('probe.session');
    } catch (error) {
      this.set('probe.session', `Cannot tell who is signed in: ${(error as Error).message}`);
    }
  }

  private changed(): void {
    if (this.context?.online) void this.send();
  }

  private send(): Promise<void> {
    // One report at a time, in order, so the server always ends with the latest list.
    this.sending = this.sending.then(async () => {
      const context = this.context;
      if (!context?.online) return;
      try {
        const result = await context.request('agent:health', { problems: this.current.slice(0, 50) });
        if (!result.ok) context.logger.warn({ error: result.error }, 'health report refused');
      } catch (error) {
        context.logger.debug({ err: error }, 'health report not delivered; sent again on reconnect');
      }
    });
    return this.sending;
  }
}
