import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_aup.js';
import * as m0005 from './0005_deployment.js';

/**
 * Every migration, in order. Names sort by their number; never edit a migration
 * that has shipped: add the next one.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_aup': m0002,
  '0005_deployment': m0005,
};
