/**
 * Device inventory and device health: what a technician sees about every enrolled
 * computer, and the small health report an agent sends about itself.
 */
import { z } from 'zod';
import { hostnameSchema, idSchema, isoTimeSchema } from './common.js';
import { deviceSchema } from './rest.js';
import { safeText } from './text.js';

/**
 * A health problem's code: short, stable, machine-readable (`config.invalid.serverUrl`,
 * `probe.screen-capture`). Each code is one problem; a device has each code at most once.
 */
export const healthCodeSchema = z
  .string({ error: 'code must be text' })
  .regex(/^[a-z][A-Za-z0-9_.-]{0,79}$/, {
    error:
      'code must be 1 to 80 letters, digits, dots, dashes or underscores, starting with a lower-case letter',
  });

/** One problem as the agent reports it. */
export const healthProblemSchema = z.strictObject({
  code: healthCodeSchema,
  message: safeText(500, 'message'),
});
export type HealthProblem = z.infer<typeof healthProblemSchema>;

/**
 * `agent:health`: the agent's complete list of current problems. It is state, not an
 * event: sent after every (re)connection and whenever the list changes. A code missing
 * from the list has been fixed.
 */
export const agentHealthReportSchema = z.strictObject({
  problems: z.array(healthProblemSchema).max(50, { error: 'at most 50 problems' }),
});
export type AgentHealthReport = z.infer<typeof agentHealthReportSchema>;

/** A problem as the inventory shows it: reported by the agent, or worked out by the server. */
export const deviceHealthSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** When the problem was first noticed; null when the server cannot tell. */
  since: isoTimeSchema.nullable(),
  source: z.enum(['agent', 'server']),
});
export type DeviceHealth = z.infer<typeof deviceHealthSchema>;

/** One row of `GET /api/devices`: the device plus its health and feature states. */
export const inventoryDeviceSchema = deviceSchema.extend({
  /** Every current problem; empty when all is well. */
  health: z.array(deviceHealthSchema),
  /**
   * Acceptable-use-policy state of the signed-in user on this device, from the AUP
   * feature. null while that feature is not installed: the dashboard shows "—".
   */
  aup: z.object({ state: z.string(), label: z.string() }).nullable(),
  /**
   * Whether the browser extension reports from this device, from the activity feature.
   * null while that feature is not installed: the dashboard shows "—".
   */
  extension: z.object({ reporting: z.boolean(), lastReport: isoTimeSchema.nullable() }).nullable(),
});
export type InventoryDevice = z.infer<typeof inventoryDeviceSchema>;
export const inventoryListSchema = z.object({ devices: z.array(inventoryDeviceSchema) });

/** Rename a device and/or move it to another room. */
export const updateDeviceRequestSchema = z
  .strictObject({
    hostname: hostnameSchema.optional(),
    roomId: idSchema.optional(),
  })
  .refine((v) => v.hostname !== undefined || v.roomId !== undefined, { error: 'nothing to change' });
export type UpdateDeviceRequest = z.infer<typeof updateDeviceRequestSchema>;
