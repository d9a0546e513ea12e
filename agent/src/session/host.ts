import type { HealthProblem } from '@harbour/shared';
import type { Logger } from 'pino';
import type { AgentContext, AgentFeature, HealthSink } from '../core/feature.js';
import type { ServiceLink } from './link.js';

/**
 * Runs a session's features as HarbourAgent runs them in the single-process agent: started
 * once with the context, `onConnect` after every time the server becomes reachable, stopped
 * in reverse order. A failing feature is logged and never takes the helper down.
 */
export class FeatureHost {
  constructor(
    private readonly features: AgentFeature[],
    private readonly context: AgentContext,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (const feature of this.features) {
      try {
        await feature.start(this.context);
        this.logger.debug({ feature: feature.name }, 'feature started');
      } catch (error) {
        this.logger.error({ err: error, feature: feature.name }, 'feature failed to start');
      }
    }
  }

  /** The server is reachable (again). */
  connected(): void {
    for (const feature of this.features) {
      Promise.resolve()
        .then(() => feature.onConnect?.())
        .catch((error: unknown) =>
          this.logger.error({ err: error, feature: feature.name }, 'feature hook failed'),
        );
    }
  }

  async stop(): Promise<void> {
    for (const feature of [...this.features].reverse()) {
      await Promise.resolve(feature.stop?.()).catch((error: unknown) =>
        this.logger.error({ err: error, feature: feature.name }, 'feature failed to stop'),
      );
    }
  }
}

/** The session's health problems, kept whole and handed to the service (which reports the device's). */
export class LinkedHealth implements HealthSink {
  private readonly problems = new Map<string, string>();

  constructor(private readonly link: ServiceLink) {}

  get current(): HealthProblem[] {
    return [...this.problems].map(([code, message]) => ({ code, message }));
  }

  set(code: string, message: string): void {
    if (this.problems.get(code) === message.slice(0, 500)) return;
    this.problems.set(code, message.slice(0, 500));
    this.link.setHealth(this.current);
  }

  clear(code: string): void {
    if (this.problems.delete(code)) this.link.setHealth(this.current);
  }
}
