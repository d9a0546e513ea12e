/** Who is calling: a signed-in member of staff or an enrolled device, and how each is recognised. */
import type { Role } from '@harbour/shared';

/** The cookie that carries a staff session's secret (REST and the dashboard socket alike). */
export const sessionCookie = 'harbour_session';

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  /** The school they belong to (core/tenancy.ts); null: trust-level, every school. */
  schoolId: number | null;
  /** This session proved a second factor (TOTP, a recovery code, or the SSO provider's MFA). */
  secondFactor: boolean;
  /**
   * What this session must do before anything else: change a temporary password, or (when
   * the school requires a second factor of everyone) enrol one. Null: nothing.
   */
  restriction: SessionRestriction | null;
}

export type SessionRestriction = 'password_change' | 'second_factor_enrolment';

export interface AuthenticatedDevice {
  id: string;
  roomId: string;
}

export type DeviceAuthResult =
  | { ok: true; device: AuthenticatedDevice }
  | { ok: false; code: 'unauthenticated' | 'revoked'; message: string };

/**
 * How the transports (HTTP plumbing, socket handshakes) recognise callers. The accounts
 * and devices features implement it; the transports only call it.
 */
/** One sign-in: its id (not the secret) and when it ends; a live connection ends with it. */
export interface StaffSession {
  user: SessionUser;
  id: string;
  expiresAt: string;
}

export interface Authenticators {
  /** The signed-in, enabled member of staff behind a session cookie's secret, or null. */
  staff(sessionToken: string | undefined): Promise<SessionUser | null>;
  /** The same, with the session itself (for live connections, which end when it does). */
  staffSession(sessionToken: string | undefined): Promise<StaffSession | null>;
  /** Checks a device's credential. */
  device(deviceId: string, credential: string): Promise<DeviceAuthResult>;
}
