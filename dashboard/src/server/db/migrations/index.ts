import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0004 from './0004_incidents.js';
import * as m0002 from './0002_aup.js';
import * as m0006 from './0006_supervision.js';
import * as m0005 from './0005_deployment.js';
import * as m0003 from './0003_activity.js';
import * as m0007 from './0007_bench_indexes.js';
import * as m0008 from './0008_security.js';
import * as m0009 from './0009_identity.js';
import * as m0010 from './0010_monitoring_trust.js';
import * as m0011 from './0011_roster_sso.js';
import * as m0012 from './0012_device_records.js';
import * as m0013 from './0013_academic_sessions.js';
import * as m0014 from './0014_schools.js';
import * as m0015 from './0015_control_language.js';
import * as m0016 from './0016_roster_schools.js';
import * as m0017 from './0017_retention_schools.js';
import * as m0018 from './0018_school_settings.js';
import * as m0019 from './0019_school_logins.js';

/**
 * Every migration, in order. Names sort by their number; never edit a migration
 * that has shipped: add the next one.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_aup': m0002,
  '0003_activity': m0003,
  '0004_incidents': m0004,
  '0005_deployment': m0005,
  '0006_supervision': m0006,
  '0007_bench_indexes': m0007,
  '0008_security': m0008,
  '0009_identity': m0009,
  '0010_monitoring_trust': m0010,
  '0011_roster_sso': m0011,
  '0012_device_records': m0012,
  '0013_academic_sessions': m0013,
  '0014_schools': m0014,
  '0015_control_language': m0015,
  '0016_roster_schools': m0016,
  '0017_retention_schools': m0017,
  '0018_school_settings': m0018,
  '0019_school_logins': m0019,
};
