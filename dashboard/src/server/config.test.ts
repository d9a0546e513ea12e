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
});
