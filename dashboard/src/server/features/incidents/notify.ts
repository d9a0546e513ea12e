/**
 * Tells the DSL about new incidents as they happen: live in the dashboard, and by email
 * when the school has set up SMTP. (Pupils' reports also alert the teachers in the room:
 * features/tell does that before it calls `created`.)
 */
import type { Logger } from 'pino';
import { channel, type Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import { receiptOf, toConcernAlerts } from './concerns.js';
import { incidentRef, toSummaries, type IncidentRow } from './incidents.js';
import { sendConcernWaiting } from './mail.js';
import { getSetting } from './settings.js';

export class IncidentNotifier {
  /** Emails in flight, so tests and shutdown can wait for them. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly push: Push,
    private readonly log: Logger,
  ) {}

  /** After an incident is committed: the DSL sees it at once and is emailed its reference. */
  async created(row: IncidentRow): Promise<void> {
    const [summary] = await toSummaries(this.db, [row], null);
    if (summary) this.push.toStaff(channel.dsl(row.school_id), 'incident:created', summary);
    const [concern] = await toConcernAlerts(this.db, [row]);
    if (concern) this.push.toStaff(channel.dsl(row.school_id), 'concern:new', concern);
    this.email(incidentRef(row.seq));
  }

  /**
   * After a DSL's dashboard showed a concern, or a DSL moved it on from "new": every DSL tab
   * drops it from the banner, and the person who recorded it is told.
   */
  async receiptChanged(row: IncidentRow): Promise<void> {
    if (row.state !== 'new')
      this.push.toStaff(channel.dsl(row.school_id), 'concern:settled', { incidentId: row.id });
    if (row.created_by) {
      this.push.toStaff(channel.user(row.created_by), 'concern:receipt', await receiptOf(this.db, row));
    }
  }

  private email(ref: string): void {
    const job = (async () => {
      const smtp = await getSetting(this.db, 'smtp');
      if (!smtp) return;
      await sendConcernWaiting(smtp, ref);
      this.log.info({ ref }, 'concern email sent');
    })().catch((error: unknown) => this.log.error({ err: error, ref }, 'could not send the concern email'));
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
