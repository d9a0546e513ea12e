import type { ApiClient } from './api.js';

/** A small school's OneRoster 1.1 export, as the five CSV files, for tests to change and upload. */
export interface RosterPupil {
  id: string;
  given: string;
  family: string;
  grades: string;
  username: string;
  userIds?: string;
  status?: string;
}
export interface RosterTeacher {
  id: string;
  given: string;
  family: string;
  email: string;
}
export interface RosterClass {
  id: string;
  title: string;
  grades: string;
  location?: string;
}
export interface RosterSpec {
  pupils: RosterPupil[];
  teachers: RosterTeacher[];
  classes: RosterClass[];
  /** [class id, user id, role] */
  enrolments: [string, string, 'student' | 'teacher'][];
}

const csv = (rows: (string | number)[][]) =>
  rows
    .map((r) => r.map((v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : v)).join(','))
    .join('\n') + '\n';

export function rosterFiles(spec: RosterSpec): Record<string, string> {
  const modified = '2026-09-01T08:00:00Z';
  return {
    'orgs.csv': csv([
      ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'],
      ['org-1', 'active', modified, 'Harbour Primary', 'school', '1234567', ''],
    ]),
    'academicSessions.csv': csv([
      [
        'sourcedId',
        'status',
        'dateLastModified',
        'title',
        'type',
        'startDate',
        'endDate',
        'parentSourcedId',
        'schoolYear',
      ],
      ['term-1', 'active', modified, 'Autumn 2026', 'term', '2026-09-01', '2026-12-18', '', '2027'],
    ]),
    'classes.csv': csv([
      [
        'sourcedId',
        'status',
        'dateLastModified',
        'title',
        'grades',
        'courseSourcedId',
        'classCode',
        'classType',
        'location',
        'schoolSourcedId',
        'termSourcedIds',
        'subjects',
        'subjectCodes',
        'periods',
      ],
      ...spec.classes.map((c) => [
        c.id,
        'active',
        modified,
        c.title,
        c.grades,
        '',
        c.title,
        'homeroom',
        c.location ?? '',
        'org-1',
        'term-1',
        '',
        '',
        '',
      ]),
    ]),
    'users.csv': csv([
      [
        'sourcedId',
        'status',
        'dateLastModified',
        'enabledUser',
        'orgSourcedIds',
        'role',
        'username',
        'userIds',
        'givenName',
        'familyName',
        'middleName',
        'identifier',
        'email',
        'sms',
        'phone',
        'agentSourcedIds',
        'grades',
        'password',
      ],
      ...spec.pupils.map((p) => [
        p.id,
        p.status ?? 'active',
        modified,
        'true',
        'org-1',
        'student',
        p.username,
        p.userIds ?? '',
        p.given,
        p.family,
        '',
        '',
        '',
        '',
        '',
        '',
        p.grades,
        '',
      ]),
      ...spec.teachers.map((t) => [
        t.id,
        'active',
        modified,
        'true',
        'org-1',
        'teacher',
        t.email.split('@')[0]!,
        '',
        t.given,
        t.family,
        '',
        '',
        t.email,
        '',
        '',
        '',
        '',
        '',
      ]),
    ]),
    'enrollments.csv': csv([
      [
        'sourcedId',
        'classSourcedId',
        'schoolSourcedId',
        'userSourcedId',
        'role',
        'status',
        'dateLastModified',
        'primary',
        'beginDate',
        'endDate',
      ],
      ...spec.enrolments.map(([c, u, role], i) => [
        `enr-${i + 1}`,
        c,
        'org-1',
        u,
        role,
        'active',
        modified,
        'false',
        '2026-09-01',
        '2027-07-20',
      ]),
    ]),
  };
}

/** Two classes (Year 2 and Year 5), four pupils, two teachers (the test's teacher teaches Year 5). */
export function sampleRoster(): RosterSpec {
  return {
    pupils: [
      {
        id: 'p-1',
        given: 'Ada',
        family: 'Lovelace',
        grades: '2',
        username: 'alovelace',
        userIds: '{Windows:SCHOOL\\ada01}',
      },
      { id: 'p-2', given: 'Brian', family: 'Jones', grades: '02', username: 'bjones' },
      { id: 'p-3', given: 'Cerys', family: 'Evans', grades: '5', username: 'cevans' },
      { id: 'p-4', given: 'Dylan', family: 'Thomas', grades: 'Year 5', username: 'dthomas' },
    ],
    teachers: [
      { id: 't-1', given: 'Tess', family: 'Teacher', email: 'teacher@school.test' },
      { id: 't-2', given: 'Other', family: 'Teacher', email: 'other@school.test' },
    ],
    classes: [
      { id: 'c-2', title: 'Year 2 Robins', grades: '2' },
      { id: 'c-5', title: 'Year 5 Owls', grades: '5' },
    ],
    enrolments: [
      ['c-2', 'p-1', 'student'],
      ['c-2', 'p-2', 'student'],
      ['c-5', 'p-3', 'student'],
      ['c-5', 'p-4', 'student'],
      ['c-2', 't-2', 'teacher'],
      ['c-5', 't-1', 'teacher'],
    ],
  };
}

/** Uploads files (name → content) as multipart/form-data, as the dashboard's form does. */
export async function uploadRoster(
  client: ApiClient,
  files: Record<string, string | Buffer>,
  /** A query string for the import, e.g. `?school=2` (a trust-level admin names the school). */
  query = '',
): Promise<{
  status: number;
  body: Record<string, unknown> & {
    errors?: number;
    problems?: { file: string; line: number; field: string | null; message: string }[];
  };
}> {
  const form = new FormData();
  for (const [name, content] of Object.entries(files)) {
    form.append('files', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  }
  const response = await fetch(new URL(`/api/roster/import${query}`, client.baseUrl), {
    method: 'POST',
    headers: { cookie: client.cookieHeader },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as never) : {} };
}
