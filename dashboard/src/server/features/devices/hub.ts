import type { Device } from '@harbour/shared';
import { memoryPresence, type Presence } from '../../core/cluster.js';
import { channel, type Clock, type Push } from '../../core/ports.js';
import { audit } from '../../core/audit.js';
import type { Db } from '../../db/database.js';
import {
  deviceById,
  listDevices,
  markRevoked,
  markSeen,
  updateDevice,
  type DeviceRow,
} from './devices.repository.js';

/** Adds facts another feature owns (e.g. the signed-in user's AUP standing) to devices before they go out. */
export type DeviceDecorator = (devices: Device[]) => Promise<void>;

/**
 * Knows which devices are connected now and tells live views when anything changes.
 * The database holds what must survive a restart (last seen, who was signed in);
 * "online" is the live connection itself, so a server restart starts every device offline.
 * With several nodes, `presence` is shared (realtime/cluster.ts): a device connected to
 * another node is online here too, and a node that dies takes its devices offline.
 */
export class DeviceHub {
  private readonly decorators: DeviceDecorator[] = [];

  constructor(
    private readonly db: Db,
    private readonly push: Push,
    private readonly clock: Clock,
    private readonly presence: Presence = memoryPresence(),
  ) {}

  decorate(decorator: DeviceDecorator): void {
    this.decorators.push(decorator);
  }

  async isOnline(deviceId: string): Promise<boolean> {
    return (await this.presence.onlineOf([deviceId])).has(deviceId);
  }

  /** Those of `deviceIds` with an agent connected (to any node). */
  onlineOf(deviceIds: readonly string[]): Promise<Set<string>> {
    return this.presence.onlineOf(deviceIds);
  }

  private async toDevices(rows: DeviceRow[]): Promise<Device[]> {
    const online = await this.presence.onlineOf(rows.map((r) => r.id));
    return rows.map((row) => this.toDevice(row, online.has(row.id)));
  }

  private toDevice(row: DeviceRow, isOnline: boolean): Device {
    return {
      id: row.id,
      roomId: row.room_id,
      hostname: row.hostname,
      os: row.os,
      serial: row.serial,
      agentVersion: row.agent_version,
      enrolledAt: row.enrolled_at,
      lastSeen: row.last_seen,
      online: row.revoked_at === null && isOnline,
      user: isOnline ? row.current_user : null,
      revoked: row.revoked_at !== null,
      aupGate: row.aup_gate === null ? null : row.aup_gate === 1,
      stoppedInUse:
        isOnline || row.stopped_user === null || row.stopped_at === null
          ? null
          : { user: row.stopped_user, at: row.stopped_at },
    };
  }

  async list(filter: { roomId?: string | undefined; includeRevoked?: boolean }): Promise<Device[]> {
    return this.decorated(await this.toDevices(await listDevices(this.db, filter)));
  }

  private async decorated(devices: Device[]): Promise<Device[]> {
    for (const decorator of this.decorators) await decorator(devices);
    return devices;
  }

  /** Tells live views about a device again (after something a decorator reports changed). */
  async refresh(deviceId: string): Promise<void> {
    await this.publish(deviceId);
  }

  async get(deviceId: string): Promise<Device | undefined> {
    const row = await deviceById(this.db, deviceId);
    return row && (await this.decorated(await this.toDevices([row])))[0];
  }

  async connected(deviceId: string, agentVersion: string): Promise<void> {
    // Its row first, then online: a list read in between never shows a device online that
    // was never seen (found by agent-protocol's lastSeen test on PostgreSQL).
    await updateDevice(this.db, deviceId, {
      last_seen: this.now(),
      agent_version: agentVersion,
      stopped_user: null,
      stopped_at: null,
    });
    await this.presence.add(deviceId);
    await this.publish(deviceId);
  }

  async disconnected(deviceId: string): Promise<void> {
    await this.presence.remove(deviceId);
    await this.touch(deviceId);
    await this.publish(deviceId);
  }

  async setUser(deviceId: string, user: string | null, aupGate?: boolean): Promise<void> {
    await updateDevice(this.db, deviceId, {
      current_user: user,
      last_seen: this.now(),
      ...(aupGate !== undefined && { aup_gate: aupGate ? 1 : 0 }),
    });
    await this.publish(deviceId);
  }

  /**
   * The machine service said it is stopping while `user` was signed in: kept on the record
   * (a server restart keeps it) until the device connects again, and audited, since a
   * service stopped in a lesson is what a pupil with an administrator's password would do.
   */
  async stoppedInUse(deviceId: string, user: string): Promise<void> {
    const at = this.now();
    await updateDevice(this.db, deviceId, { stopped_user: user, stopped_at: at });
    await audit(this.db, {
      actor: `device:${deviceId}`,
      action: 'device.stopped_in_use',
      subject: deviceId,
      detail: { at },
    });
    await this.publish(deviceId);
  }

  async touch(deviceId: string): Promise<void> {
    await markSeen(this.db, deviceId, this.now());
  }

  /** Renames and/or moves a device. Live views of its old room see it leave, the new room's see it arrive. */
  async update(
    deviceId: string,
    change: { hostname?: string; roomId?: string },
  ): Promise<Device | undefined> {
    const before = await this.get(deviceId);
    if (!before) return undefined;
    await updateDevice(this.db, deviceId, {
      ...(change.hostname !== undefined && { hostname: change.hostname }),
      ...(change.roomId !== undefined && { room_id: change.roomId }),
    });
    if (change.roomId !== undefined && change.roomId !== before.roomId) {
      this.removed({ id: before.id, roomId: before.roomId });
    }
    await this.publish(deviceId);
    return this.get(deviceId);
  }

  async revoke(deviceId: string): Promise<Device | undefined> {
    await markRevoked(this.db, deviceId, this.now());
    const device = await this.get(deviceId);
    if (!device) return undefined;
    const agent = channel.device(deviceId);
    this.push.toAgents(agent, 'server:revoked', { reason: 'This device was revoked by a technician.' });
    this.push.disconnect(agent);
    this.removed({ id: device.id, roomId: device.roomId });
    return device;
  }

  /** A record retired into another (the upgrade's merge): cut off like a revoked one, and gone from live views. */
  retired(device: { id: string; roomId: string }): void {
    const agent = channel.device(device.id);
    this.push.toAgents(agent, 'server:revoked', {
      reason: "This device record was merged into this computer's machine service.",
    });
    this.push.disconnect(agent);
    this.removed(device);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private removed(device: { id: string; roomId: string }): void {
    this.push.toStaff(channel.room(device.roomId), 'device:removed', device);
  }

  private async publish(deviceId: string): Promise<void> {
    const device = await this.get(deviceId);
    if (device && !device.revoked) this.push.toStaff(channel.room(device.roomId), 'device:changed', device);
  }
}
