/**
 * Reads a OneRoster 1.1 CSV bulk export (orgs, academicSessions, classes, users, enrollments)
 * into a roster snapshot, or names every bad row. Nothing here touches the database: the
 * caller stores the snapshot only when there is no problem at all.
 */
import { parse } from 'csv-parse/sync';
import { safeText, type RosterProblem, type YearGroup } from '@harbour/shared';

/** The five files the issue names; others in an export (manifest, courses, demographics) are ignored. */
export const rosterFiles = [
  'orgs.csv',
  'academicSessions.csv',
  'classes.csv',
  'users.csv',
  'enrollments.csv',
] as const;
export type RosterFile = (typeof rosterFiles)[number];

export const rosterLimits = {
  /** Rows in one file: a primary school has hundreds; a trust's whole export a few tens of thousands. */
  rowsPerFile: 100_000,
  /** Bytes of one file, and of all of them (also the zip's total uncompressed size). */
  fileBytes: 16 * 1024 * 1024,
  totalBytes: 32 * 1024 * 1024,
  /** Entries in a zip (an export has about ten). */
  zipEntries: 64,
  /** Problems listed in a report (the count is always exact). */
  problemsListed: 500,
} as const;

/**
 * Login names that are the computer's own accounts, never a pupil's: a roster claiming one
 * would show a pupil's name on an administrator's session.
 */
const reservedLogins = new Set([
  'root',
  'administrator',
  'admin',
  'guest',
  'system',
  'defaultaccount',
  'wdagutilityaccount',
  'daemon',
  'nobody',
  'harbour',
  'localadmin',
]);

export interface SnapshotPupil {
  sourcedId: string;
  givenName: string;
  familyName: string;
  yearGroup: YearGroup;
  logins: string[];
}
export interface SnapshotStaff {
  sourcedId: string;
  givenName: string;
  familyName: string;
  email: string | null;
  role: string;
}
export interface SnapshotClass {
  sourcedId: string;
  title: string;
  classCode: string | null;
  yearGroup: YearGroup;
  location: string | null;
}
/** A OneRoster academic session: the school's own term and year dates (for report presets). */
export interface SnapshotSession {
  sourcedId: string;
  title: string;
  /** OneRoster 1.1: term, semester, schoolYear, gradingPeriod, calendar, or an `ext:` type. */
  type: string;
  startDate: string;
  endDate: string;
}
export interface RosterSnapshot {
  sessions: SnapshotSession[];
  pupils: SnapshotPupil[];
  staff: SnapshotStaff[];
  classes: SnapshotClass[];
  /** [class sourcedId, pupil sourcedId] */
  classPupils: [string, string][];
  /** [class sourcedId, staff sourcedId] */
  classStaff: [string, string][];
}

export type ParseOutcome =
  { ok: true; snapshot: RosterSnapshot } | { ok: false; problems: RosterProblem[]; errors: number };

type Row = Record<string, string>;
interface Table {
  file: RosterFile;
  rows: { line: number; row: Row }[];
}

/** A login as Harbour compares them: lower case, without `DOMAIN\` or `@domain`. */
export function normaliseLogin(login: string): string {
  const plain = login.trim().toLowerCase();
  const afterDomain = plain.includes('\\') ? plain.slice(plain.lastIndexOf('\\') + 1) : plain;
  return afterDomain.includes('@') ? afterDomain.slice(0, afterDomain.indexOf('@')) : afterDomain;
}

/**
 * A year group from OneRoster's `grades`. Harbour reads England and Wales years: `R`,
 * `Reception`, `N`, `Nursery`, `Year 3`, `Y3` or `3` (a plain number is the school year, as
 * UK exports write it, not a US grade). Several grades (a mixed class) give no single year.
 */
export function yearGroupOf(grades: string): YearGroup | 'invalid' {
  const list = grades
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  if (list.length === 0) return 'unknown';
  const years = new Set<YearGroup | 'invalid'>(list.map(oneYear));
  if (years.has('invalid')) return 'invalid';
  return years.size === 1 ? [...years][0]! : 'unknown';
}

function oneYear(grade: string): YearGroup | 'invalid' {
  const g = grade.toLowerCase().replace(/\s+/g, ' ');
  if (g === 'r' || g === 'reception' || g === 'yr' || g === 'year r') return 'R';
  if (g === 'n' || g === 'nursery' || g === 'n1' || g === 'n2') return 'N';
  const match = /^(?:year ?|y)?0?([1-6])$/.exec(g);
  return match ? (`Y${match[1]}` as YearGroup) : 'invalid';
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
function validDate(value: string): boolean {
  if (!isoDate.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}
function validDateTime(value: string): boolean {
  if (isoDate.test(value)) return validDate(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)) return false;
  return validDate(value.slice(0, 10)) && !Number.isNaN(new Date(value).getTime());
}

const required: Record<RosterFile, string[]> = {
  'orgs.csv': ['sourcedId', 'name', 'type'],
  'academicSessions.csv': ['sourcedId', 'title', 'type', 'startDate', 'endDate'],
  'classes.csv': ['sourcedId', 'title', 'schoolSourcedId'],
  'users.csv': ['sourcedId', 'role', 'username', 'givenName', 'familyName'],
  'enrollments.csv': ['sourcedId', 'classSourcedId', 'userSourcedId', 'role'],
};

const staffRoles = new Set(['teacher', 'administrator', 'aide']);
/** OneRoster 1.1's session types, by their lower-case spelling (exports vary in case). */
const sessionTypes = new Map(
  ['calendar', 'gradingPeriod', 'schoolYear', 'semester', 'term'].map((t) => [t.toLowerCase(), t]),
);
// Parents and guardians are in many exports; Harbour keeps nothing about them.
const ignoredRoles = new Set(['guardian', 'parent', 'relative', 'proctor']);

export function parseRoster(files: ReadonlyMap<string, Buffer>): ParseOutcome {
  const problems: RosterProblem[] = [];
  let errors = 0;
  const problem = (file: string, line: number, field: string | null, message: string) => {
    errors += 1;
    if (problems.length < rosterLimits.problemsListed) problems.push({ file, line, field, message });
  };

  const tables = new Map<RosterFile, Table>();
  for (const file of rosterFiles) {
    const data = files.get(file.toLowerCase());
    if (!data) {
      problem(file, 0, null, `${file} is missing: a OneRoster export has ${rosterFiles.join(', ')}.`);
      continue;
    }
    const table = readTable(file, data, problem);
    if (table) tables.set(file, table);
  }
  if (errors > 0) return { ok: false, problems, errors };

  const get = (file: RosterFile) => tables.get(file)!;
  const seen = new Map<string, Map<string, number>>();
  const unique = (file: RosterFile, line: number, id: string): boolean => {
    const ids = seen.get(file) ?? new Map<string, number>();
    seen.set(file, ids);
    const first = ids.get(id);
    if (first !== undefined) {
      problem(file, line, 'sourcedId', `The id "${id}" is used twice (first on line ${first}).`);
      return false;
    }
    ids.set(id, line);
    return true;
  };
  /** Common columns: sourcedId (present, unique), status, dateLastModified. Deleted rows are skipped. */
  const common = (file: RosterFile, line: number, row: Row): boolean => {
    const id = row.sourcedId ?? '';
    if (!id) {
      problem(file, line, 'sourcedId', 'sourcedId is empty.');
      return false;
    }
    if (!unique(file, line, id)) return false;
    const status = (row.status ?? '').trim().toLowerCase();
    if (status !== '' && status !== 'active' && status !== 'tobedeleted' && status !== 'inactive') {
      problem(file, line, 'status', `status must be active or tobedeleted, not "${row.status}".`);
      return false;
    }
    const modified = row.dateLastModified ?? '';
    if (modified && !validDateTime(modified)) {
      problem(file, line, 'dateLastModified', `"${modified}" is not a date and time (ISO 8601).`);
      return false;
    }
    return status === '' || status === 'active';
  };
  const text = (file: RosterFile, line: number, field: string, value: string, max = 120) => {
    const parsed = safeText(max, field).safeParse(value);
    if (!parsed.success) {
      problem(file, line, field, parsed.error.issues[0]?.message ?? `${field} is not valid.`);
      return null;
    }
    return parsed.data;
  };

  const orgs = new Set<string>();
  for (const { line, row } of get('orgs.csv').rows) {
    if (!common('orgs.csv', line, row)) continue;
    if (text('orgs.csv', line, 'name', row.name ?? '', 200) !== null) orgs.add(row.sourcedId!);
  }

  const sessions = new Set<string>();
  const sessionRows: SnapshotSession[] = [];
  for (const { line, row } of get('academicSessions.csv').rows) {
    if (!common('academicSessions.csv', line, row)) continue;
    let ok = true;
    const title = text('academicSessions.csv', line, 'title', row.title ?? '', 200);
    if (title === null) ok = false;
    const type = (row.type ?? '').trim();
    const known = sessionTypes.get(type.toLowerCase());
    if (!known && !/^ext:[\w.-]{1,60}$/.test(type)) {
      problem(
        'academicSessions.csv',
        line,
        'type',
        `type must be one of ${[...sessionTypes.values()].join(', ')} (or an ext: type), not "${type.slice(0, 60)}".`,
      );
      ok = false;
    }
    for (const field of ['startDate', 'endDate']) {
      const value = row[field] ?? '';
      if (!validDate(value)) {
        problem('academicSessions.csv', line, field, `"${value}" is not a date (YYYY-MM-DD).`);
        ok = false;
      }
    }
    if (ok && row.startDate! > row.endDate!) {
      problem('academicSessions.csv', line, 'endDate', `The session ends (${row.endDate}) before it starts.`);
      ok = false;
    }
    if (ok) {
      sessions.add(row.sourcedId!);
      sessionRows.push({
        sourcedId: row.sourcedId!,
        title: title!,
        type: known ?? type,
        startDate: row.startDate!,
        endDate: row.endDate!,
      });
    }
  }

  const classes = new Map<string, SnapshotClass>();
  for (const { line, row } of get('classes.csv').rows) {
    if (!common('classes.csv', line, row)) continue;
    const title = text('classes.csv', line, 'title', row.title ?? '', 200);
    const school = row.schoolSourcedId ?? '';
    if (!orgs.has(school)) {
      problem('classes.csv', line, 'schoolSourcedId', `No school "${school}" in orgs.csv.`);
      continue;
    }
    const terms = (row.termSourcedIds ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const missing = terms.find((t) => !sessions.has(t));
    if (missing) {
      problem('classes.csv', line, 'termSourcedIds', `No session "${missing}" in academicSessions.csv.`);
      continue;
    }
    const yearGroup = yearGroupOf(row.grades ?? '');
    if (yearGroup === 'invalid') {
      problem(
        'classes.csv',
        line,
        'grades',
        `"${row.grades}" is not a primary school year (Nursery to Year 6).`,
      );
      continue;
    }
    if (title === null) continue;
    classes.set(row.sourcedId!, {
      sourcedId: row.sourcedId!,
      title,
      classCode: (row.classCode ?? '').trim() || null,
      yearGroup,
      location: (row.location ?? '').trim() || null,
    });
  }

  const pupils = new Map<string, SnapshotPupil & { line: number }>();
  const staff = new Map<string, SnapshotStaff>();
  const loginOwner = new Map<string, { line: number; id: string }>();
  for (const { line, row } of get('users.csv').rows) {
    if (!common('users.csv', line, row)) continue;
    const role = (row.role ?? '').trim().toLowerCase();
    if (ignoredRoles.has(role)) continue;
    if (role !== 'student' && !staffRoles.has(role)) {
      problem('users.csv', line, 'role', `"${row.role}" is not a OneRoster role.`);
      continue;
    }
    const givenName = text('users.csv', line, 'givenName', row.givenName ?? '');
    const familyName = text('users.csv', line, 'familyName', row.familyName ?? '');
    const orgIds = (row.orgSourcedIds ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    const unknownOrg = orgIds.find((o) => !orgs.has(o));
    if (unknownOrg) {
      problem('users.csv', line, 'orgSourcedIds', `No school "${unknownOrg}" in orgs.csv.`);
      continue;
    }
    if (givenName === null || familyName === null) continue;
    if (role !== 'student') {
      const email = (row.email ?? '').trim().toLowerCase();
      if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) {
        problem('users.csv', line, 'email', `"${row.email}" is not an email address.`);
        continue;
      }
      staff.set(row.sourcedId!, {
        sourcedId: row.sourcedId!,
        givenName,
        familyName,
        email: email || null,
        role,
      });
      continue;
    }
    const yearGroup = yearGroupOf(row.grades ?? '');
    if (yearGroup === 'invalid') {
      problem(
        'users.csv',
        line,
        'grades',
        `"${row.grades}" is not a primary school year (Nursery to Year 6).`,
      );
      continue;
    }
    const logins = loginsOf(row);
    let ok = true;
    for (const { login, field } of logins) {
      if (login.length > 256 || !/^[\p{L}\p{N}._$-]+$/u.test(login)) {
        problem('users.csv', line, field, `"${login}" is not a computer login name.`);
        ok = false;
      } else if (reservedLogins.has(login)) {
        problem('users.csv', line, field, `"${login}" is one of the computer's own accounts, not a pupil's.`);
        ok = false;
      } else {
        const owner = loginOwner.get(login);
        if (owner && owner.id !== row.sourcedId) {
          problem(
            'users.csv',
            line,
            field,
            `The login "${login}" is already the pupil's on line ${owner.line}.`,
          );
          ok = false;
        } else loginOwner.set(login, { line, id: row.sourcedId! });
      }
    }
    if (!ok) continue;
    pupils.set(row.sourcedId!, {
      sourcedId: row.sourcedId!,
      givenName,
      familyName,
      yearGroup,
      logins: [...new Set(logins.map((l) => l.login))],
      line,
    });
  }

  const classPupils: [string, string][] = [];
  const classStaff: [string, string][] = [];
  for (const { line, row } of get('enrollments.csv').rows) {
    if (!common('enrollments.csv', line, row)) continue;
    const classId = row.classSourcedId ?? '';
    const userId = row.userSourcedId ?? '';
    const role = (row.role ?? '').trim().toLowerCase();
    let ok = true;
    for (const field of ['beginDate', 'endDate']) {
      const value = row[field] ?? '';
      if (value && !validDate(value)) {
        problem('enrollments.csv', line, field, `"${value}" is not a date (YYYY-MM-DD).`);
        ok = false;
      }
    }
    if (ok && row.beginDate && row.endDate && row.beginDate > row.endDate) {
      problem('enrollments.csv', line, 'endDate', `The enrolment ends (${row.endDate}) before it begins.`);
      ok = false;
    }
    if (!ok) continue;
    if (!classes.has(classId) && !seen.get('classes.csv')?.has(classId)) {
      problem('enrollments.csv', line, 'classSourcedId', `No class "${classId}" in classes.csv.`);
      continue;
    }
    if (!classes.has(classId)) continue; // a deleted class: its enrolments go with it
    if (role === 'student') {
      if (pupils.has(userId)) classPupils.push([classId, userId]);
      else if (!seen.get('users.csv')?.has(userId))
        problem('enrollments.csv', line, 'userSourcedId', `No pupil "${userId}" in users.csv.`);
    } else if (staffRoles.has(role)) {
      if (staff.has(userId)) classStaff.push([classId, userId]);
      else if (!seen.get('users.csv')?.has(userId))
        problem('enrollments.csv', line, 'userSourcedId', `No member of staff "${userId}" in users.csv.`);
    } else if (!ignoredRoles.has(role)) {
      problem('enrollments.csv', line, 'role', `"${row.role}" is not a OneRoster role.`);
    }
  }

  if (errors > 0) return { ok: false, problems, errors };
  return {
    ok: true,
    snapshot: {
      sessions: sessionRows,
      pupils: [...pupils.values()].map(({ line: _line, ...p }) => p),
      staff: [...staff.values()],
      classes: [...classes.values()],
      classPupils,
      classStaff,
    },
  };
}

/** `username` and each `{type:id}` of `userIds`, normalised (the same name twice counts once). */
function loginsOf(row: Row): { login: string; field: string }[] {
  const out: { login: string; field: string }[] = [];
  const username = (row.username ?? '').trim();
  if (username) out.push({ login: normaliseLogin(username), field: 'username' });
  for (const match of (row.userIds ?? '').matchAll(/\{([^:}]*):([^}]*)\}/g)) {
    const id = (match[2] ?? '').trim();
    if (id) out.push({ login: normaliseLogin(id), field: 'userIds' });
  }
  return out.filter((l, i) => out.findIndex((o) => o.login === l.login) === i);
}

function readTable(
  file: RosterFile,
  data: Buffer,
  problem: (file: string, line: number, field: string | null, message: string) => void,
): Table | null {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(data, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
      max_record_size: 64 * 1024,
      info: true,
      // One more than allowed: enough to know the file is too long without reading it all.
      to: rosterLimits.rowsPerFile + 2,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as { lines?: number; message?: string };
    problem(file, e.lines ?? 0, null, `Not a CSV file: ${String(e.message ?? error).slice(0, 200)}`);
    return null;
  }
  const [first, ...body] = records;
  const header = first?.record;
  if (!header) {
    problem(file, 0, null, `${file} is empty.`);
    return null;
  }
  if (body.length > rosterLimits.rowsPerFile) {
    problem(file, 0, null, `${file} has more than ${rosterLimits.rowsPerFile} rows.`);
    return null;
  }
  const columns = header.map((h) => h.trim());
  const missing = required[file].filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    for (const c of missing) problem(file, 1, c, `The column ${c} is missing.`);
    return null;
  }
  return {
    file,
    // The line the row ends on, as an editor shows it (the header is line 1).
    rows: body.map(({ record, info }) => ({
      line: info.lines,
      row: Object.fromEntries(columns.map((c, j) => [c, (record[j] ?? '').trim()])),
    })),
  };
}
