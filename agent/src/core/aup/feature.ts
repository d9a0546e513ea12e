import {
  aupExpiryCutoff,
  aupPageDecisionSchema,
  formatOsUser,
  resolveAudience,
  type AupPage,
  type OsUser,
} from '@harbour/shared';
import type { SessionControl } from '../../platform/session.js';
import type { AgentContext, AgentFeature } from '../feature.js';
import type { ScreenOverlay } from '../overlay.js';
import { ReadAloud } from '../read-aloud.js';
import { UiError, type UiBytes, type UiServer } from '../ui-server.js';
import {
  builtinPolicies,
  fromBundle,
  policyFor,
  readCache,
  writeCache,
  type PolicySet,
  type ShownPolicy,
} from './policies.js';

/** The AUP page's background (styles.css), for the overlay's first frame. */
const aupBackground = '#eef6fb';
export interface AupFeatureDeps {
  ui: UiServer;
  overlay: ScreenOverlay;
  /** Signs a user out after they decline (injectable: tests record the call). */
  session: SessionControl;
  now?: () => Date;
  /** How often to re-check the signed-in user (expiry, a user switch the probes saw). Default 2 s. */
  checkIntervalMs?: number;
  /** How long the page's "Thank you" stays before the computer is given back. Default 2.5 s. */
  thanksMs?: number;
}

interface Accepted {
  audience: string;
  textHash: string;
  at: string;
}

interface Gate {
  key: string;
  user: OsUser;
  policy: ShownPolicy;
}

const acceptedKey = (user: OsUser) => `aup.accepted:${formatOsUser(user).toLowerCase()}`;

/**
 * The acceptable use policy at logon: whenever the signed-in user has not accepted the
 * published policy for their audience (or their acceptance expired at the start of the
 * school year), the policy covers every display until they choose. "I agree" releases the
 * computer; "I don't agree" is recorded and signs them out. Decisions travel through the
 * outbox, so they reach the register exactly once even after a long time offline.
 */
export class AupFeature implements AgentFeature {
  readonly name = 'aup';
  private ctx: AgentContext | undefined;
  /** The newest policies known (server, cache or built-in). */
  private latest: PolicySet = builtinPolicies();
  /** The policies that apply to this session: newer versions wait for the next logon unless pushed "show now". */
  private session: { key: string; set: PolicySet } | null = null;
  private gate: Gate | null = null;
  private timer: NodeJS.Timeout | undefined;
  private thanks: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private rerun = false;
  private readonly askedServer = new Set<string>();
  private readonly groups = new Map<string, string[]>();
  private readonly readAloud: ReadAloud;

  constructor(private readonly deps: AupFeatureDeps) {
    deps.ui.route({ method: 'GET', path: '/api/aup/current', handler: () => this.page() });
    this.readAloud = ReadAloud.of(deps.ui);
    // The policy on screen, by its server version (the built-in samples have none, and so no audio).
    this.readAloud.kind('aup', (documentId) =>
      this.gate && this.gate.policy.documentId === documentId
        ? (ctx) => ctx.request('aup:audio', { documentId }, 20_000)
        : null,
    );
    deps.ui.route({ method: 'GET', path: '/api/aup/audio', handler: () => this.audioFile() });
    deps.ui.route({
      method: 'POST',
      path: '/api/aup/decision',
      body: aupPageDecisionSchema,
      handler: (body) => this.decide(body.decision, body.textHash),
    });
  }

  /** What the overlay shows now, if anything (for tests and the tray). */
  get showing(): ShownPolicy | null {
    return this.gate?.policy ?? null;
  }

  start(ctx: AgentContext): void {
    this.ctx = ctx;
    this.readAloud.attach(ctx);
    const cached = readCache(ctx.dataDir);
    if (cached.ok) this.latest = fromBundle(cached.bundle, 'cache');
    else if (cached.reason !== 'missing') {
      ctx.logger.warn({ reason: cached.reason }, 'aup: cached policies refused; using the built-in samples');
    }
    this.deps.ui.language = this.latest.settings.language ?? null;
    ctx.onPush('aup:changed', ({ showNow }) => void this.refresh(showNow));
    this.timer = setInterval(() => void this.check(), this.deps.checkIntervalMs ?? 2000);
    this.timer.unref();
    void this.check();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const thanking = this.thanks !== undefined;
    clearTimeout(this.thanks);
    this.thanks = undefined;
    await this.running;
    if (this.gate || thanking) await this.deps.overlay.hide();
    this.gate = null;
  }

  async onConnect(): Promise<void> {
    await this.refresh(false);
  }

  async onSessionChange(): Promise<void> {
    this.session = null;
    await this.check();
  }

  /** Fetches the published policies; with showNow, signed-in users must accept the new ones at once. */
  private async refresh(showNow: boolean): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    try {
      const result = await ctx.request('aup:bundle', {});
      if (!result.ok) throw new Error(result.error.message);
      this.latest = fromBundle(result.data, 'server');
      this.deps.ui.language = this.latest.settings.language ?? null;
      writeCache(ctx.dataDir, result.data);
      this.askedServer.clear();
    } catch (error) {
      ctx.logger.warn({ err: error }, 'aup: could not fetch the policies; keeping what we have');
      return;
    }
    // A gate that is up shows the newest text; "show now" re-checks everyone signed in.
    if (showNow || this.gate) this.session = null;
    await this.check();
  }

  /** Decides whether the gate must be up for the signed-in user, and shows or hides it. */
  check(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.rerun = false;
        await this.evaluate().catch((error: unknown) =>
          this.ctx?.logger.error({ err: error }, 'aup: check failed'),
        );
      } while (this.rerun);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async evaluate(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    const user = ctx.user;
    if (!user) {
      this.session = null;
      if (this.gate) {
        this.gate = null;
        await this.deps.overlay.hide();
      }
      return;
    }
    const key = formatOsUser(user).toLowerCase();
    if (this.session?.key !== key) this.session = { key, set: this.latest };
    const set = this.session.set;
    const audience = resolveAudience(set.settings, {
      username: user.username,
      groups: await this.groupsOf(user),
      roomId: ctx.device.roomId,
    });
    const policy = policyFor(set, audience);
    const cutoff = aupExpiryCutoff(this.now(), set.settings.expiryMonth, set.settings.expiryDay);

    if (!this.acceptedLocally(user, policy, cutoff)) await this.askServer(user, policy, cutoff);
    if (this.acceptedLocally(user, policy, cutoff)) {
      if (this.gate) {
        this.gate = null;
        await this.deps.overlay.hide();
      }
      return;
    }
    if (this.gate?.key === key && this.gate.policy.textHash === policy.textHash) {
      this.gate.policy = policy; // the same words, perhaps now known by their server version
      await this.deps.overlay.show({ path: '/aup', title: policy.content.title, background: aupBackground }); // reopen if needed
      return;
    }
    // A gate already up for a newer text keeps its windows: the page notices the new text itself.
    this.gate = { key, user, policy };
    ctx.logger.info(
      { user: formatOsUser(user), audience, version: policy.version, source: policy.source },
      'aup: showing the policy',
    );
    await this.deps.overlay.show({ path: '/aup', title: policy.content.title, background: aupBackground });
  }

  private acceptedLocally(user: OsUser, policy: ShownPolicy, cutoff: Date): boolean {
    const raw = this.ctx?.getState(acceptedKey(user));
    if (!raw) return false;
    const accepted = JSON.parse(raw) as Accepted;
    return accepted.textHash === policy.textHash && new Date(accepted.at) >= cutoff;
  }

  /** The user may have agreed on another computer: the register knows. Asked once per text. */
  private async askServer(user: OsUser, policy: ShownPolicy, cutoff: Date): Promise<void> {
    const ctx = this.ctx;
    const asked = `${formatOsUser(user).toLowerCase()}|${policy.textHash}`;
    if (!ctx?.online || this.askedServer.has(asked)) return;
    try {
      const result = await ctx.request('aup:decisions', { user });
      if (!result.ok) return;
      this.askedServer.add(asked);
      const match = result.data.decisions.find(
        (d) =>
          d.audience === policy.audience &&
          d.textHash === policy.textHash &&
          d.decision === 'accepted' &&
          new Date(d.decidedAt) >= cutoff,
      );
      if (match)
        this.remember(user, { audience: policy.audience, textHash: policy.textHash, at: match.decidedAt });
    } catch {
      // Offline or slow: the local record decides.
    }
  }

  private remember(user: OsUser, accepted: Accepted): void {
    this.ctx?.setState(acceptedKey(user), JSON.stringify(accepted));
  }

  private async groupsOf(user: OsUser): Promise<string[]> {
    const key = formatOsUser(user).toLowerCase();
    let groups = this.groups.get(key);
    if (!groups) {
      groups = await this.deps.session.groups(user).catch(() => []);
      this.groups.set(key, groups);
    }
    return groups;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The read-aloud clip of the policy on screen: the first ask starts fetching it from the server. */
  private audioState(policy: ShownPolicy): AupPage['audio'] {
    return policy.documentId ? this.readAloud.state(`aup:${policy.documentId}`) : 'unavailable';
  }

  private audioFile(): UiBytes {
    const documentId = this.gate?.policy.documentId;
    if (!documentId) throw new UiError(404, 'not_found', 'Reading aloud is not available on this computer.');
    return this.readAloud.file(`aup:${documentId}`);
  }

  private page(): AupPage {
    const gate = this.gate;
    if (!gate) throw new UiError(404, 'not_found', 'There is nothing to agree to now.');
    return {
      audio: this.audioState(gate.policy),
      user: { username: gate.user.username, displayName: gate.user.displayName ?? null },
      audience: { id: gate.policy.audience, name: gate.policy.audienceName },
      version: gate.policy.version,
      textHash: gate.policy.textHash,
      content: gate.policy.content,
      source: gate.policy.source,
      language: this.latest.settings.language ?? null,
    };
  }

  private async decide(decision: 'accepted' | 'declined', textHash: string): Promise<{ ok: true }> {
    const ctx = this.ctx;
    const gate = this.gate;
    if (!ctx || !gate) throw new UiError(404, 'not_found', 'There is nothing to agree to now.');
    if (gate.policy.textHash !== textHash) {
      throw new UiError(409, 'conflict', 'The rules have just changed. Please read them again.');
    }
    const { user, policy } = gate;
    const at = this.now();
    ctx.enqueue(
      {
        type: 'aup.decision',
        user,
        audience: policy.audience,
        documentId: policy.documentId,
        version: policy.version,
        textHash: policy.textHash,
        decision,
        source: policy.source,
      },
      at,
    );
    ctx.logger.info(
      { user: formatOsUser(user), decision, version: policy.version },
      'aup: decision recorded',
    );
    if (decision === 'accepted') {
      this.remember(user, { audience: policy.audience, textHash: policy.textHash, at: at.toISOString() });
      this.gate = null;
      // The decision is already safe in the outbox; the child reads "Thank you" before the
      // cover goes (a gate shown meanwhile, for another user, keeps its windows).
      clearTimeout(this.thanks);
      this.thanks = setTimeout(() => {
        this.thanks = undefined;
        if (!this.gate) void this.deps.overlay.hide();
      }, this.deps.thanksMs ?? 2500);
      this.thanks.unref();
      return { ok: true };
    }
    // Declined: the cover stays until the session ends; signing out ends it.
    const outcome = await this.deps.session.signOut(user);
    ctx.logger.info({ user: formatOsUser(user), outcome }, 'aup: declined; session ended');
    return { ok: true };
  }
}
