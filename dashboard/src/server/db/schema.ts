/** Table types for Kysely. Times are ISO 8601 UTC strings; ids are UUIDs. */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  role: 'admin' | 'technician' | 'dsl' | 'teacher';
  password_hash: string;
  disabled_at: string | null;
  created_at: string;
  /** 1: a temporary password, to be changed at the next sign-in (migration 0008). */
  password_must_change: Generated<number>;
  password_changed_at: string | null;
  failed_sign_ins: Generated<number>;
  locked_until: string | null;
  /** The TOTP secret, sealed (core/keys.ts); null without a second factor. */
  totp_secret: string | null;
  /** The last TOTP time step accepted: a code is good once. */
  totp_last_step: number | null;
  totp_enrolled_at: string | null;
  /** `issuer sub` of the SSO identity that signs in as this account. */
  sso_subject: string | null;
  /** The school this member of staff belongs to (migration 0014); null: trust-level, every school. */
  school_id: number | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  /** SHA-256 of the code (160 random bits, so a fast hash is enough). */
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface IdentitySettingsTable {
  key: string;
  /** JSON */
  value: string;
  updated_at: string;
  updated_by: string;
}

export interface SsoRequestsTable {
  state: string;
  nonce: string;
  code_verifier: string;
  created_at: string;
  redirect_uri: string;
}

export interface SessionsTable {
  /** SHA-256 of the cookie's secret; the secret itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  /** When this session proved a second factor; null if it has not. */
  second_factor_at: string | null;
  /** 'full', or 'second_factor': a sign-in waiting for its code, which opens nothing. */
  stage: Generated<'full' | 'second_factor'>;
  /** How it was signed in: 'password' or 'sso'. */
  via: string | null;
}

export interface RoomsTable {
  id: string;
  name: string;
  created_at: string;
  /**
   * The school the room is in (migration 0014); its devices, activity and flags are that
   * school's. Generated only for SQLite's column default (the install's first school);
   * rooms.repository always names the school, and PostgreSQL has no default.
   */
  school_id: Generated<number>;
}

export interface EnrolmentTokensTable {
  id: string;
  token_hash: string;
  room_id: string;
  label: string | null;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  max_uses: number | null;
  uses: Generated<number>;
}

export interface DevicesTable {
  id: string;
  room_id: string;
  credential_hash: string;
  hostname: string;
  os: string;
  serial: string | null;
  agent_version: string;
  enrolled_at: string;
  enrolment_token_id: string | null;
  last_seen: string | null;
  current_user: string | null;
  revoked_at: string | null;
  /** A per-user agent's record retired into this computer's one (its history stays under its own id). */
  merged_into: string | null;
  /** The machine service said goodbye while this user was signed in; cleared when it connects again. */
  stopped_user: string | null;
  stopped_at: string | null;
  /** 1: the agent shows the AUP at logon; 0: it does not; null: not known (an older agent). */
  aup_gate: number | null;
}

export interface AgentEventsTable {
  device_id: string;
  event_id: string;
  type: string;
  occurred_at: string;
  received_at: string;
  body: string;
}

export interface DeviceSessionsTable {
  id: Generated<number>;
  device_id: string;
  username: string;
  started_at: string;
  ended_at: string | null;
}

export interface EvidenceTable {
  sha256: string;
  device_id: string | null;
  mime: string;
  bytes: number;
  received_at: string;
}

/** Every device that uploaded a file (migration 0008). */
export interface EvidenceHoldersTable {
  sha256: string;
  device_id: string;
  received_at: string;
}

/** A pupil's words for a report that has not arrived yet (migration 0008). */
export interface TellPendingDetailsTable {
  device_id: string;
  tell_id: string;
  event_id: string;
  body: string;
  received_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: string | null;
  /** Hash chain (migration 0004): SHA-256 of prev_hash and this entry's canonical form. */
  prev_hash: string | null;
  hash: string | null;
}

export interface IncidentsTable {
  id: string;
  seq: number;
  source: 'report' | 'flag' | 'manual';
  category: string;
  state: 'new' | 'acknowledged' | 'under_review' | 'escalated' | 'closed';
  outcome: string | null;
  summary: string;
  created_at: string;
  occurred_at: string;
  created_by: string | null;
  assigned_to: string | null;
  device_id: string | null;
  device_name: string | null;
  device_serial: string | null;
  room_id: string | null;
  room_name: string | null;
  subject_username: string | null;
  /** Lower-cased username (or name): the key of the per-pupil chronology. */
  subject_key: string | null;
  subject_name: string | null;
  subject_year_group: string;
  /** The roster's pupil (migration 0011): the key of their chronology whatever login they used. */
  subject_pupil_id: string | null;
  subject_class: string | null;
  subject_dob: string | null;
  subject_sex: string;
  /** JSON: IncidentDetails. */
  details: string;
  /** JSON: ActiveWindow at the moment of a report or flag. */
  window: string | null;
  pupil_choice: string | null;
  tell_id: string | null;
  tell_status: 'covered' | 'acknowledged' | 'released' | null;
  tell_acknowledged_by: string | null;
  evidence_shared_at: string | null;
  closed_at: string | null;
  /** Where it came from: the agent event id of a report, the flag's id. */
  source_ref: string | null;
  /** The school the incident is about, stored at creation (migration 0014). */
  school_id: number | null;
}

export interface IncidentEvidenceTable {
  incident_id: string;
  sha256: string;
  kind: 'screenshot' | 'attachment';
  mime: string;
  bytes: number;
  label: string | null;
  added_at: string;
  added_by: string;
  suspected_illegal_at: string | null;
  suspected_illegal_by: string | null;
}

export interface IncidentActionsTable {
  id: string;
  incident_id: string;
  what: string;
  who: string;
  due: string | null;
  done_at: string | null;
  outcome: string | null;
  created_at: string;
  created_by: string;
}

export interface IncidentEscalationsTable {
  id: string;
  incident_id: string;
  route: string;
  note: string | null;
  at: string;
  by: string;
}

export interface IncidentPeopleTable {
  id: string;
  incident_id: string;
  name: string;
  username: string | null;
  subject_key: string | null;
  year_group: string;
  role: string;
  added_at: string;
  added_by: string;
}

export interface IncidentLinksTable {
  incident_a: string;
  incident_b: string;
  created_at: string;
  created_by: string;
}

export interface IncidentAccessTable {
  incident_id: string;
  user_id: string;
  reason: string;
  granted_at: string;
}

export interface SafeguardingSettingsTable {
  key: string;
  value: string;
  updated_at: string;
  updated_by: string;
}

/** A school's own value of a per-school safeguarding setting (migration 0018): overrides the trust's. */
export interface SchoolSettingsTable {
  school_id: number;
  key: string;
  value: string;
  updated_at: string;
  updated_by: string;
}

export interface RetentionPurgesTable {
  id: Generated<number>;
  at: string;
  record_type: string;
  count: number;
  detail: string;
  /** The school whose records were purged (migration 0017); null: recorded before, in a trust of several. */
  school_id: number | null;
}

export interface AupAudiencesTable {
  id: string;
  name: string;
  description: string;
  position: number;
  created_at: string;
}

export interface AupDocumentsTable {
  id: string;
  audience_id: string;
  version: number;
  /** AupContent as JSON. */
  content: string;
  /** SHA-256 (hex) of canonicalAupText(content). */
  text_hash: string;
  created_at: string;
  created_by: string;
  published_at: string | null;
  superseded_at: string | null;
}

export interface AupSettingsTable {
  id: number;
  /** AupSettings as JSON. */
  settings: string;
  updated_at: string;
}

export interface AupDecisionsTable {
  id: Generated<number>;
  device_id: string;
  event_id: string;
  room_id: string | null;
  username: string;
  display_name: string | null;
  audience: string;
  document_id: string;
  version: number;
  text_hash: string;
  decision: 'accepted' | 'declined';
  source: 'server' | 'cache' | 'builtin';
  decided_at: string;
  received_at: string;
}

export interface RoomStaffTable {
  room_id: string;
  user_id: string;
}

export interface SupervisionSessionsTable {
  id: string;
  room_id: string;
  teacher_id: string;
  started_at: string;
  ends_at: string;
  ended_at: string | null;
  ended_by: string | null;
}

export interface ControlActionsTable {
  id: string;
  session_id: string;
  room_id: string;
  kind: 'cover' | 'release' | 'message';
  message: string | null;
  /** The message's language (en | cy); null: the school's. */
  language: string | null;
  actor_id: string;
  created_at: string;
}

export interface ControlTargetsTable {
  action_id: string;
  device_id: string;
  state: 'sent' | 'acknowledged' | 'not_reached';
  at: string;
}

export interface SupervisionSettingsTable {
  key: string;
  value: string;
}

export interface ActivityIntervalsTable {
  id: Generated<number>;
  device_id: string;
  /** The device's room when the interval began. */
  room_id: string;
  username: string | null;
  state: 'active' | 'idle' | 'locked' | 'off';
  app: string | null;
  title: string | null;
  url: string | null;
  domain: string | null;
  exe_path: string | null;
  private: number;
  /** What was not monitored, and why (migration 0008); null when everything was. */
  reason: 'no_display' | 'outside_hours' | 'private_window' | 'extension_missing' | 'harbour_screen' | null;
  started_at: string;
  /** null while open: what the device shows now. */
  ended_at: string | null;
}

export interface ActivitySettingsTable {
  key: string;
  /** JSON */
  value: string;
  updated_at: string;
  updated_by: string | null;
}

export interface WatchlistEntriesTable {
  id: string;
  kind: 'domain' | 'url' | 'keyword';
  pattern: string;
  category: 'extremism' | 'self_harm' | 'adult' | 'violence' | 'gambling' | 'social' | 'games';
  severity: 'low' | 'medium' | 'high';
  note: string | null;
  created_at: string;
  updated_at: string;
}

export interface FlagsTable {
  id: string;
  device_id: string;
  event_id: string;
  room_id: string;
  username: string | null;
  occurred_at: string;
  received_at: string;
  entry_id: string | null;
  category: WatchlistEntriesTable['category'];
  severity: WatchlistEntriesTable['severity'];
  kind: WatchlistEntriesTable['kind'];
  pattern: string;
  place: 'domain' | 'url' | 'title' | 'search';
  matched: string;
  app: string;
  title: string | null;
  url: string | null;
  domain: string | null;
  private: number;
  /** JSON array of evidence refs */
  evidence: string;
  /** Triage (migration 0008): open, dismissed (a false positive), escalated, or linked. */
  status: 'open' | 'dismissed' | 'escalated' | 'linked';
  triaged_by: string | null;
  triaged_at: string | null;
  triage_reason: string | null;
  /** The incident this flag's concern is recorded in, once escalated or linked. */
  incident_id: string | null;
  /** Repeat hits of the same entry by the same pupil until then join this flag. */
  group_until: string | null;
  /** Hits of this concern, the first included. */
  occurrences: number;
  last_occurred_at: string | null;
}

/** A repeat hit joined to the first flag (migration 0008). */
export interface FlagOccurrencesTable {
  id: string;
  flag_id: string;
  device_id: string;
  event_id: string;
  occurred_at: string;
  received_at: string;
  place: FlagsTable['place'];
  matched: string;
  app: string;
  title: string | null;
  url: string | null;
  domain: string | null;
  private: number;
  /** JSON array of evidence refs */
  evidence: string;
}

/** A health problem an agent reported (migration 0005). Open while cleared_at is null. */
export interface DeviceHealthTable {
  id: Generated<number>;
  device_id: string;
  code: string;
  message: string;
  since: string;
  cleared_at: string | null;
  /** Who noticed it: 'agent' (its own report) or another feature's name, e.g. 'probes'. */
  source: string;
}

interface RosterPersonColumns {
  id: string;
  /** OneRoster's sourcedId: the MIS's own id, the key of every later import. */
  sourced_id: string;
  given_name: string;
  family_name: string;
  created_at: string;
  updated_at: string;
  /** When they left the roster: kept for the records' retention, no longer listed live. */
  left_at: string | null;
  /** The school whose roster they are on (migration 0014). */
  school_id: Generated<number | null>;
}

export interface RosterPupilsTable extends RosterPersonColumns {
  /** 'N', 'R', 'Y1'…'Y6' or 'unknown' (YearGroup). */
  year_group: string;
}

export interface RosterStaffTable extends RosterPersonColumns {
  /** Lower case; matches a Harbour account's email. */
  email: string | null;
  role: string;
}

export interface RosterLoginsTable {
  /** A computer login name, lower case (without a domain). */
  login: string;
  pupil_id: string;
  /**
   * The pupil's school (migration 0019): a login is unique within a school, (school_id,
   * login), and the same login in two schools is two pupils.
   */
  school_id: number;
}

export interface RosterClassesTable {
  id: string;
  sourced_id: string;
  title: string;
  class_code: string | null;
  year_group: string;
  room_id: string | null;
  created_at: string;
  updated_at: string;
  left_at: string | null;
  school_id: Generated<number | null>;
}

export interface RosterClassPupilsTable {
  class_id: string;
  pupil_id: string;
}

export interface RosterClassStaffTable {
  class_id: string;
  staff_id: string;
}

export interface RosterSessionsTable {
  sourced_id: string;
  title: string;
  /** OneRoster's session type: term, semester, schoolYear, gradingPeriod, calendar or ext:… */
  type: string;
  start_date: string;
  end_date: string;
  /** The school whose calendar it is (migration 0016). */
  school_id: number | null;
}

export interface RosterImportsTable {
  id: string;
  at: string;
  source: 'upload' | 'folder';
  actor: string;
  ok: number;
  content_hash: string;
  /** JSON: RosterImportResult. */
  result: string;
  /** The school whose roster was imported (migration 0016); null: refused before a school was known. */
  school_id: number | null;
}

export interface SchoolsTable {
  id: Generated<number>;
  name: string;
  /** Short and unique, e.g. a DfE number or an abbreviation. */
  code: string;
  created_at: string;
}

export interface Database {
  schools: SchoolsTable;
  roster_pupils: RosterPupilsTable;
  roster_staff: RosterStaffTable;
  roster_logins: RosterLoginsTable;
  roster_classes: RosterClassesTable;
  roster_class_pupils: RosterClassPupilsTable;
  roster_class_staff: RosterClassStaffTable;
  roster_sessions: RosterSessionsTable;
  roster_imports: RosterImportsTable;
  users: UsersTable;
  sessions: SessionsTable;
  recovery_codes: RecoveryCodesTable;
  password_resets: PasswordResetsTable;
  identity_settings: IdentitySettingsTable;
  sso_requests: SsoRequestsTable;
  rooms: RoomsTable;
  enrolment_tokens: EnrolmentTokensTable;
  devices: DevicesTable;
  agent_events: AgentEventsTable;
  device_sessions: DeviceSessionsTable;
  audit_log: AuditLogTable;
  incidents: IncidentsTable;
  incident_evidence: IncidentEvidenceTable;
  evidence_holders: EvidenceHoldersTable;
  tell_pending_details: TellPendingDetailsTable;
  incident_actions: IncidentActionsTable;
  incident_escalations: IncidentEscalationsTable;
  incident_people: IncidentPeopleTable;
  incident_links: IncidentLinksTable;
  incident_access: IncidentAccessTable;
  safeguarding_settings: SafeguardingSettingsTable;
  school_settings: SchoolSettingsTable;
  retention_purges: RetentionPurgesTable;
  aup_audiences: AupAudiencesTable;
  aup_documents: AupDocumentsTable;
  aup_settings: AupSettingsTable;
  aup_decisions: AupDecisionsTable;
  activity_intervals: ActivityIntervalsTable;
  flag_occurrences: FlagOccurrencesTable;
  activity_settings: ActivitySettingsTable;
  watchlist_entries: WatchlistEntriesTable;
  flags: FlagsTable;
  device_health: DeviceHealthTable;
  evidence: EvidenceTable;
  room_staff: RoomStaffTable;
  supervision_sessions: SupervisionSessionsTable;
  control_actions: ControlActionsTable;
  control_targets: ControlTargetsTable;
  supervision_settings: SupervisionSettingsTable;
}
