/**
 * Who hears about a pupil's report, and when: the DSL and the teachers in charge of the
 * room as soon as it is stored, and the pupil's computer when a teacher acknowledges or
 * releases it. Reports name pupils, so they never go to a room's general channel
 * (technicians and admins watch rooms too): only to the DSL channel, to teachers' own
 * connections, and to the pupil's computer.
 */
import type { TellAlert } from '@harbour/shared';
import { channel, type Push } from '../../core/ports.js';
import type { Db } from '../../db/database.js';
import {
  accessGrantees,
  grantIncidentAccess,
  type IncidentRow,
  type IncidentsFeature,
} from '../incidents/index.js';
import { supervisorsAt } from '../supervision/index.js';
import { toTellAlert } from './tell.js';

export class TellAlerts {
  constructor(
    private readonly db: Db,
    private readonly push: Push,
    private readonly incidents: Pick<IncidentsFeature, 'created'>,
  ) {}

  /** After a pupil's report is committed: alert the DSL and the room's teachers at once. */
  async reported(row: IncidentRow): Promise<void> {
    const alert = toTellAlert(row);
    if (alert) {
      this.push.toStaff(channel.dsl(row.school_id), 'tell:alert', alert);
      // The adults in charge of the room: the teachers supervising it (supervised sessions),
      // and any teacher with its live view open, who is given access to this incident.
      const watching = await this.alertRoomTeachers(alert);
      for (const userId of watching) await grantIncidentAccess(this.db, row.id, userId, 'watching the room');
      const supervising = await supervisorsAt(this.db, alert.roomId, row.occurred_at);
      this.alertUsers(
        supervising.filter((id) => !watching.includes(id)),
        alert,
        row.school_id,
      );
    }
    await this.incidents.created(row);
  }

  /** After a teacher acknowledged or released a report (or it was released at the computer). */
  async changed(row: IncidentRow): Promise<void> {
    const alert = toTellAlert(row);
    if (!alert) return;
    this.push.toStaff(channel.dsl(row.school_id), 'tell:alert', alert);
    const users = await accessGrantees(this.db, row.id);
    if (row.created_by) users.push(row.created_by);
    if (row.room_id) users.push(...(await supervisorsAt(this.db, row.room_id, row.occurred_at)));
    this.alertUsers(users, alert, row.school_id);
    if (alert.status !== 'covered') {
      this.push.toAgents(channel.device(alert.deviceId), 'server:tell-update', {
        tellId: alert.tellId,
        status: alert.status,
        by: row.tell_acknowledged_by,
      });
    }
  }

  /** Sends to the teachers watching the room live now; returns their user ids. */
  private async alertRoomTeachers(alert: TellAlert): Promise<string[]> {
    const teachers = new Set<string>();
    for (const user of await this.push.staffIn(channel.room(alert.roomId))) {
      if (user.role === 'teacher') teachers.add(user.id);
    }
    for (const id of teachers) this.push.toStaff(channel.user(id), 'tell:alert', alert);
    return [...teachers];
  }

  /** To these members of staff, except the DSL, who has had it on the DSL channel. */
  private alertUsers(userIds: string[], alert: TellAlert, schoolId: number | null): void {
    if (userIds.length > 0) {
      this.push.toStaff(userIds.map(channel.user), 'tell:alert', alert, { except: channel.dsl(schoolId) });
    }
  }
}
