/**
 * Tells people about incidents as they happen: the DSL live in the dashboard (and by
 * email when the school has set up SMTP), the teachers watching the pupil's room, and
 * the pupil's computer when a teacher acknowledges or releases a report.
 */
import type { IncidentSummary, TellAlert, TellUpdatePush } from '@harbour/shared';
import type { Logger } from 'pino';
import type { Db } from '../../db/database.js';
import { grantIncidentAccess } from './access.js';
import { incidentRef, toSummaries } from './incidents.js';
import { sendConcernWaiting } from './mail.js';
import { getSetting } from './settings.js';
import { supervisorsAt } from '../supervision/supervision.js';
import { toTellAlert } from '../tell/tell.js';

/** Where pushes go; the socket.io side implements it (realtime/incident-channels.ts). */
export interface IncidentChannels {
  incidentToDsl(summary: IncidentSummary): void;
  alertToDsl(alert: TellAlert): void;
  /** Sends to the teachers watching the room live now; returns their user ids. */
  alertToRoomTeachers(roomId: string, alert: TellAlert): Promise<string[]>;
  alertToUsers(userIds: string[], alert: TellAlert): void;
  toDevice(deviceId: string, update: TellUpdatePush): void;
}

export class IncidentNotifier {
  /** Emails in flight, so tests and shutdown can wait for them. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly channels: IncidentChannels,
    private readonly log: Logger,
  ) {}

  /** After an incident is committed: alert the DSL (and room teachers, for a pupil's report). */
  async created(incidentId: string): Promise<void> {
    const row = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('id', '=', incidentId)
      .executeTakeFirst();
    if (!row) return;
    const alert = toTellAlert(row);
    if (alert) {
      this.channels.alertToDsl(alert);
      // The adults in charge of the room: the teachers supervising it (supervised sessions),
      // and any teacher with its live view open, who is given access to this incident.
      const watching = await this.channels.alertToRoomTeachers(alert.roomId, alert);
      for (const userId of watching)
        await grantIncidentAccess(this.db, incidentId, userId, 'watching the room');
      const supervising = await supervisorsAt(this.db, alert.roomId, row.occurred_at);
      this.channels.alertToUsers(
        supervising.filter((id) => !watching.includes(id)),
        alert,
      );
    }
    const [summary] = await toSummaries(this.db, [row], null);
    if (summary) this.channels.incidentToDsl(summary);
    this.email(incidentRef(row.seq));
  }

  /** After a teacher acknowledged or released a report. */
  async tellChanged(incidentId: string): Promise<void> {
    const row = await this.db
      .selectFrom('incidents')
      .selectAll()
      .where('id', '=', incidentId)
      .executeTakeFirst();
    const alert = row && toTellAlert(row);
    if (!row || !alert) return;
    this.channels.alertToDsl(alert);
    const access = await this.db
      .selectFrom('incident_access')
      .select('user_id')
      .where('incident_id', '=', incidentId)
      .execute();
    const users = access.map((a) => a.user_id);
    if (row.created_by) users.push(row.created_by);
    if (row.room_id) users.push(...(await supervisorsAt(this.db, row.room_id, row.occurred_at)));
    this.channels.alertToUsers(users, alert);
    if (alert.status !== 'covered') {
      this.channels.toDevice(alert.deviceId, {
        tellId: alert.tellId,
        status: alert.status,
        by: row.tell_acknowledged_by,
      });
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
