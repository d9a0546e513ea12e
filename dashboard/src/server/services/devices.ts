import type { Device } from '@harbour/shared';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { DevicesTable } from '../db/schema.js';

type DeviceRow = Selectable<DevicesTable>;

export interface DeviceEvents {
  changed(device: Device): void;
  removed(device: { id: string; roomId: string }): void;
  revoked(deviceId: string): void;
}

/**
 * Knows which devices are connected now and tells live views when anything changes.
 * The database holds what must survive a restart (last seen, who was signed in);
 * "online" is the live connection itself, so a server restart starts every device offline.
 */
export class DeviceHub {
  private readonly connections = new Map<string, number>();
  /** Devices whose service stopped while someone was signed in (until they connect again). */
  private readonly stopped = new Map<string, { user: string; at: string }>();
  /** Add facts other services own (e.g. the signed-in user's AUP standing) to devices before they go out. */
  readonly decorators: ((devices: Device[]) => Promise<void>)[] = [];

  constructor(
    private readonly db: Db,
    private readonly events: DeviceEvents,
  ) {}

  isOnline(deviceId: string): boolean {
    return (this.connections.get(deviceId) ?? 0) > 0;
  }

  toDevice(row: DeviceRow): Device {
    return {
      id: row.id,
      roomId: row.room_id,
      hostname: row.hostname,
      os: row.os,
      serial: row.serial,
      agentVersion: row.agent_version,
      enrolledAt: row.enrolled_at,
      lastSeen: row.last_seen,
      online: row.revoked_at === null && this.isOnline(row.id),
      user: this.isOnline(row.id) ? row.current_user : null,
      revoked: row.revoked_at !== null,
      stoppedInUse: this.isOnline(row.id) ? null : (this.stopped.get(row.id) ?? null),
    };
  }

  async list(filter: { roomId?: string | undefined; includeRevoked?: boolean }): Promise<Device[]> {
    let q = this.db.selectFrom('devices').selectAll().orderBy('hostname').orderBy('id');
    if (filter.roomId) q = q.where('room_id', '=', filter.roomId);
    if (!filter.includeRevoked) q = q.where('revoked_at', 'is', null);
    return this.decorate((await q.execute()).map((row) => this.toDevice(row)));
  }

  private async decorate(devices: Device[]): Promise<Device[]> {
    for (const decorator of this.decorators) await decorator(devices);
    return devices;
  }

  /** Tells live views about a device again (after something a decorator reports changed). */
  async refresh(deviceId: string): Promise<void> {
    await this.publish(deviceId);
  }

  async get(deviceId: string): Promise<Device | undefined> {
    const row = await this.db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
    return row && (await this.decorate([this.toDevice(row)]))[0];
  }

  async connected(deviceId: string, agentVersion: string): Promise<void> {
    this.stopped.delete(deviceId);
    this.connections.set(deviceId, (this.connections.get(deviceId) ?? 0) + 1);
    await this.db
      .updateTable('devices')
      .set({ last_seen: new Date().toISOString(), agent_version: agentVersion })
      .where('id', '=', deviceId)
      .execute();
    await this.publish(deviceId);
  }

  async disconnected(deviceId: string): Promise<void> {
    const left = (this.connections.get(deviceId) ?? 1) - 1;
    if (left > 0) this.connections.set(deviceId, left);
    else this.connections.delete(deviceId);
    await this.touch(deviceId);
    await this.publish(deviceId);
  }

  async setUser(deviceId: string, user: string | null): Promise<void> {
    await this.db
      .updateTable('devices')
      .set({ current_user: user, last_seen: new Date().toISOString() })
      .where('id', '=', deviceId)
      .execute();
    await this.publish(deviceId);
  }

  /** The machine service said it is stopping while `user` was signed in: kept until it connects again. */
  async stoppedInUse(deviceId: string, user: string): Promise<void> {
    this.stopped.set(deviceId, { user, at: new Date().toISOString() });
    await this.publish(deviceId);
  }

  async touch(deviceId: string): Promise<void> {
    await this.db
      .updateTable('devices')
      .set({ last_seen: new Date().toISOString() })
      .where('id', '=', deviceId)
      .execute();
  }

  /** Renames and/or moves a device. Live views of its old room see it leave, the new room's see it arrive. */
  async update(
    deviceId: string,
    change: { hostname?: string; roomId?: string },
  ): Promise<Device | undefined> {
    const before = await this.get(deviceId);
    if (!before) return undefined;
    await this.db
      .updateTable('devices')
      .set({
        ...(change.hostname !== undefined && { hostname: change.hostname }),
        ...(change.roomId !== undefined && { room_id: change.roomId }),
      })
      .where('id', '=', deviceId)
      .execute();
    if (change.roomId !== undefined && change.roomId !== before.roomId) {
      this.events.removed({ id: before.id, roomId: before.roomId });
    }
    await this.publish(deviceId);
    return this.get(deviceId);
  }

  async revoke(deviceId: string): Promise<Device | undefined> {
    const now = new Date().toISOString();
    await this.db
      .updateTable('devices')
      .set({ revoked_at: now })
      .where('id', '=', deviceId)
      .where('revoked_at', 'is', null)
      .execute();
    const device = await this.get(deviceId);
    if (!device) return undefined;
    this.events.revoked(deviceId);
    this.events.removed({ id: device.id, roomId: device.roomId });
    return device;
  }

  private async publish(deviceId: string): Promise<void> {
    const device = await this.get(deviceId);
    if (device && !device.revoked) this.events.changed(device);
  }
}
