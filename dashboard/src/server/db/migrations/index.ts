import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0004 from './0004_incidents.js';

/**
 * Every migration, in order. Names sort by their number; never edit a migration
 * that has shipped: add the next one.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0004_incidents': m0004,
};
