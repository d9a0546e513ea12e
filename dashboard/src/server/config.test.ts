import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

describe('server configuration', () => {
  it('has the documented defaults', () => {
    const c = configFromEnv({});
    expect(c.port).toBe(8080);
    expect(c.dataDir).toMatch(/data$/);
    expect(c.bootstrapAdmin).toBeUndefined();
  });

  it('reports every invalid setting by name', () => {
    expect(() => configFromEnv({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*LOG_LEVEL/);
  });

  it('needs both admin variables or neither, and a strong password', () => {
    expect(() => configFromEnv({ HARBOUR_ADMIN_EMAIL: 'a@b.co' })).toThrow(/both/);
    expect(() => configFromEnv({ HARBOUR_ADMIN_EMAIL: 'a@b.co', HARBOUR_ADMIN_PASSWORD: 'short' })).toThrow(
      /HARBOUR_ADMIN_PASSWORD/,
    );
  });

  it('reads single sign-on for unattended installs, and refuses half of it', () => {
    const c = configFromEnv({
      HARBOUR_SSO_PRESET: 'entra',
      HARBOUR_SSO_TENANT: 'f00d-tenant',
      HARBOUR_SSO_CLIENT_ID: 'app-id',
      HARBOUR_SSO_CLIENT_SECRET: 's3cret',
      HARBOUR_SSO_CREATE_ACCOUNTS: 'true',
      HARBOUR_SSO_ROLES: 'group:1234-abcd=teacher, domain:school.example=teacher',
    });
    expect(c.sso).toMatchObject({
      enabled: true,
      preset: 'entra',
      tenant: 'f00d-tenant',
      clientId: 'app-id',
      createAccounts: true,
      roles: [
        { kind: 'group', value: '1234-abcd', role: 'teacher' },
        { kind: 'domain', value: 'school.example', role: 'teacher' },
      ],
    });
    expect(configFromEnv({}).sso).toBeUndefined();
    expect(() => configFromEnv({ HARBOUR_SSO_PRESET: 'entra', HARBOUR_SSO_CLIENT_ID: 'x' })).toThrow(
      /TENANT/,
    );
    expect(() => configFromEnv({ HARBOUR_SSO_PRESET: 'oidc', HARBOUR_SSO_CLIENT_ID: 'x' })).toThrow(/ISSUER/);
    expect(() => configFromEnv({ HARBOUR_SSO_ROLES: 'group:x=root' })).toThrow(/HARBOUR_SSO_ROLES/);
  });

  it('reads the roster folder and its interval', () => {
    const c = configFromEnv({ HARBOUR_ROSTER_DIR: './roster', HARBOUR_ROSTER_INTERVAL_MINUTES: '15' });
    expect(c.rosterDir).toMatch(/roster$/);
    expect(c.rosterIntervalMinutes).toBe(15);
    expect(() => configFromEnv({ HARBOUR_ROSTER_INTERVAL_MINUTES: '0' })).toThrow(
      /HARBOUR_ROSTER_INTERVAL_MINUTES/,
    );
  });

  it('reads REDIS_URL and EVIDENCE_DIR, and runs as one node without them', () => {
    expect(configFromEnv({}).redisUrl).toBeUndefined();
    const c = configFromEnv({ REDIS_URL: 'redis://redis.trust.example:6379', EVIDENCE_DIR: '/mnt/evidence' });
    expect(c.redisUrl).toBe('redis://redis.trust.example:6379');
    expect(c.evidenceDir).toBe('/mnt/evidence');
    expect(() => configFromEnv({ REDIS_URL: 'http://redis:6379' })).toThrow(/REDIS_URL[\s\S]*Redis address/);
  });

  it('joins nodes over PostgreSQL only when asked, and only on PostgreSQL without REDIS_URL', () => {
    const pg = 'postgres://harbour:secret@db.trust.example:5432/harbour';
    expect(configFromEnv({ DATABASE_URL: pg }).clusterOverPostgres).toBe(false);
    expect(configFromEnv({ DATABASE_URL: pg, HARBOUR_CLUSTER: 'postgres' }).clusterOverPostgres).toBe(true);
    // On the SQLite file (no DATABASE_URL) there is nothing for a second node to share.
    expect(() => configFromEnv({ HARBOUR_CLUSTER: 'postgres' })).toThrow(
      /HARBOUR_CLUSTER=postgres[\s\S]*no DATABASE_URL[\s\S]*SQLite/,
    );
    expect(() =>
      configFromEnv({ DATABASE_URL: pg, HARBOUR_CLUSTER: 'postgres', REDIS_URL: 'redis://redis:6379' }),
    ).toThrow(/HARBOUR_CLUSTER=postgres and REDIS_URL are both set/);
    expect(() => configFromEnv({ DATABASE_URL: pg, HARBOUR_CLUSTER: 'redis' })).toThrow(
      /HARBOUR_CLUSTER[\s\S]*only value is postgres[\s\S]*REDIS_URL/,
    );
  });
});
