import { apiErrorSchema, enrolResponseSchema, parseWith } from '@harbour/shared';
import type { DeviceInfo } from '../platform/probes.js';
import type { Credentials } from './credentials.js';

/** The server refused to enrol this device; retrying with the same token will not help. */
export class EnrolmentRefused extends Error {}

/**
 * Exchanges an enrolment token for this device's own credential.
 * Network failures throw ordinary errors (worth retrying); a refusal throws EnrolmentRefused.
 */
export async function enrol(
  serverUrl: string,
  token: string,
  device: DeviceInfo,
  agentVersion: string,
  fetchImpl: typeof fetch = fetch,
): Promise<Credentials> {
  const response = await fetchImpl(new URL('/api/agent/enrol', serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      hostname: device.hostname,
      os: device.os,
      serial: device.serial,
      agentVersion,
    }),
    signal: AbortSignal.timeout(15_000),
  });
  const json: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const err = parseWith(apiErrorSchema, json);
    const reason = err.ok ? err.value.error.message : `HTTP ${response.status}`;
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      throw new EnrolmentRefused(`The server refused to enrol this device: ${reason}`);
    }
    throw new Error(`Enrolment failed: ${reason}`);
  }
  const parsed = parseWith(enrolResponseSchema, json);
  if (!parsed.ok) throw new Error('Enrolment failed: the server sent an unexpected answer.');
  return {
    serverUrl,
    deviceId: parsed.value.deviceId,
    credential: parsed.value.credential,
    roomId: parsed.value.roomId,
    enrolledAt: new Date().toISOString(),
  };
}
