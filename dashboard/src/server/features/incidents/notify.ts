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
import { onlySchool } from '../../core/schools.js';
import { getSchoolOwn, getSetting } from './settings.js';

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
    this.email(incidentRef(row.seq), row.school_id);
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

  /**
   * Who is emailed a new incident's reference. A trust of one school: the settings' recipients,
   * as always. A trust of several: that list is the trust's, so instead the enabled DSL
   * accounts of the incident's school and the trust-level DSLs, at their accounts' addresses
   * (the same people the live DSL channel reaches, core/live-scope.ts).
   */
  private async recipients(configured: string[], schoolId: number | null): Promise<string[]> {
    if ((await onlySchool(this.db)) !== null) return configured;
    const rows = await this.db
      .selectFrom('users')
      .select('email')
      .where('role', '=', 'dsl')
      .where('disabled_at', 'is', null)
      .where((eb) =>
        schoolId === null
          ? eb('school_id', 'is', null)
          : eb.or([eb('school_id', '=', schoolId), eb('school_id', 'is', null)]),
      )
      .orderBy('email')
      .execute();
    return rows.map((r) => r.email);
  }

  private email(ref: string, schoolId: number | null): void {
    const job = (async () => {
      // The incident's school's own SMTP server (relay, from, recipients), else the trust's.
      const own = schoolId === null ? undefined : await getSchoolOwn(this.db, schoolId, 'smtp');
      const smtp = own ?? (await getSetting(this.db, 'smtp'));
      if (!smtp) return;
      // A school's own list is its DSL's choice for its own concerns, so it is used as it is.
      const to = own ? smtp.to : await this.recipients(smtp.to, schoolId);
      if (to.length === 0) {
        this.log.warn({ ref, school: schoolId }, 'no DSL of the school to email the concern to');
        return;
      }
      await sendConcernWaiting({ ...smtp, to }, ref);
      this.log.info({ ref, recipients: to.length }, 'concern email sent');
    })().catch((error: unknown) => this.log.error({ err: error, ref }, 'could not send the concern email'));
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
