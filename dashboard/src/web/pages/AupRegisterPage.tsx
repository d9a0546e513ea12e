import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  aupStatusSchema,
  type AupRegisterEntry,
  type AupStatus,
  type AupUserStatus,
  type Room,
} from '@harbour/shared';
import { api, withQuery } from '../api';
import { AupBadge } from '../components/aupStatus';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { DateTime } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';
import { audienceLabel } from '../labels';
import { PersonName } from '../components/PersonName';
import { useTrustSchools } from '../schools';

/** Who has agreed to the computer rules, per user and per decision, with a CSV export. */
export function AupRegisterPage() {
  const { t } = useTranslation();
  usePageTitle(t('register.title'));
  // Trust-level staff of a trust of several schools: which school each row is.
  const schools = useTrustSchools();
  const [rooms, setRooms] = useState<Room[]>([]);
  const [audiences, setAudiences] = useState<{ id: string; name: string }[]>([]);
  const [roomId, setRoomId] = useState('');
  const [status, setStatus] = useState('');
  const [username, setUsername] = useState('');
  const [applied, setApplied] = useState({ roomId: '', status: '', username: '' });
  const [users, setUsers] = useState<AupUserStatus[] | null>(null);
  const [entries, setEntries] = useState<AupRegisterEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api.get<{ rooms: Room[] }>('/api/rooms').then((r) => setRooms(r.rooms), setError);
    // Audience names instead of their ids ("ks1"); the register works without them.
    api.get<{ audiences: { id: string; name: string }[] }>('/api/aup/overview').then(
      (r) => setAudiences(r.audiences),
      () => undefined,
    );
  }, []);
  const audienceNames = useMemo(() => new Map(audiences.map((a) => [a.id, a.name])), [audiences]);
  const audience = (id: string | null) => audienceLabel(t, id, id === null ? null : audienceNames.get(id));

  useEffect(() => {
    let cancelled = false;
    const filter = { roomId: applied.roomId, username: applied.username.trim() };
    Promise.all([
      api.get<{ users: AupUserStatus[] }>(
        withQuery('/api/aup/status', { ...filter, status: applied.status }),
      ),
      api.get<{ entries: AupRegisterEntry[] }>(withQuery('/api/aup/register', filter)),
    ]).then(
      ([s, r]) => {
        if (cancelled) return;
        setUsers(s.users);
        setEntries(r.entries);
        setError(null);
      },
      (err: unknown) => {
        if (!cancelled) setError(err);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [applied]);

  const csv = withQuery('/api/aup/register.csv', {
    roomId: applied.roomId,
    username: applied.username.trim(),
  });
  const dash = t('common.dash');

  return (
    <>
      <h1>{t('register.title')}</h1>
      <p className="lead">{t('register.lead')}</p>
      <form
        className="inline-form"
        aria-label={t('register.filter')}
        onSubmit={(event) => {
          event.preventDefault();
          setApplied({ roomId, status, username });
        }}
      >
        <SelectField
          label={t('common.room')}
          value={roomId}
          onChange={setRoomId}
          options={[
            { value: '', label: t('common.allRooms') },
            ...rooms.map((r) => ({ value: r.id, label: r.name })),
          ]}
        />
        <SelectField
          label={t('register.status')}
          value={status}
          onChange={setStatus}
          options={[
            { value: '', label: t('register.anyStatus') },
            ...aupStatusSchema.options.map((s: AupStatus) => ({
              value: s,
              label: t(`enums.aupStatus.${s}`),
            })),
          ]}
        />
        <TextField
          label={t('register.user')}
          value={username}
          onChange={setUsername}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="button button-primary">
          {t('common.show')}
        </button>
      </form>
      <ErrorAlert error={error} />
      <p>
        <a className="button" href={csv} download>
          {t('register.csv')}
        </a>
      </p>

      <h2>{t('register.people')}</h2>
      {users === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : users.length === 0 ? (
        <p className="empty">{t('register.nobody')}</p>
      ) : (
        <DataTable
          label={t('register.peopleLabel')}
          rows={users}
          // Two schools may each have a pupil with this login (docs/trust.md): one row each.
          rowKey={(u) => `${u.schoolId ?? ''}:${u.username}`}
          columns={[
            {
              key: 'user',
              header: t('register.user'),
              rowHeader: true,
              cell: (u) => <PersonName login={u.username} person={u.person} />,
            },
            { key: 'name', header: t('users.columns.name'), cell: (u) => u.displayName ?? dash },
            { key: 'standing', header: t('register.standing'), cell: (u) => <AupBadge status={u.status} /> },
            { key: 'audience', header: t('register.audience'), cell: (u) => audience(u.audience) },
            { key: 'version', header: t('register.version'), cell: (u) => u.version ?? dash },
            {
              key: 'decided',
              header: t('register.decided'),
              cell: (u) => (u.decidedAt === null ? dash : <DateTime iso={u.decidedAt} />),
            },
            { key: 'room', header: t('register.lastRoom'), cell: (u) => u.lastRoomName ?? dash },
            ...(schools === null
              ? []
              : [
                  {
                    key: 'school',
                    header: t('schools.column'),
                    cell: (u: AupUserStatus) => u.schoolName ?? dash,
                  },
                ]),
          ]}
        />
      )}

      <h2>{t('register.decisions')}</h2>
      {entries === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : entries.length === 0 ? (
        <p className="empty">{t('register.noDecisions')}</p>
      ) : (
        <DataTable
          label={t('register.decisionsLabel')}
          rows={entries}
          rowKey={(e) => String(e.id)}
          columns={[
            { key: 'when', header: t('register.when'), cell: (e) => <DateTime iso={e.decidedAt} /> },
            {
              key: 'user',
              header: t('register.user'),
              rowHeader: true,
              cell: (e) => (
                <>
                  <PersonName login={e.username} person={e.person} />
                  {!e.person?.known && e.displayName && <span className="muted"> ({e.displayName})</span>}
                </>
              ),
            },
            {
              key: 'decision',
              header: t('register.decision'),
              cell: (e) => t(`enums.aupDecision.${e.decision}`),
            },
            { key: 'audience', header: t('register.audience'), cell: (e) => audience(e.audience) },
            { key: 'version', header: t('register.version'), cell: (e) => e.version },
            {
              key: 'hash',
              header: t('register.hash'),
              cell: (e) => <code title={e.textHash}>{e.textHash.slice(0, 12)}…</code>,
            },
            { key: 'computer', header: t('activity.columns.computer'), cell: (e) => e.deviceName },
            { key: 'room', header: t('common.room'), cell: (e) => e.roomName ?? dash },
            ...(schools === null
              ? []
              : [
                  {
                    key: 'school',
                    header: t('schools.column'),
                    cell: (e: AupRegisterEntry) => e.schoolName ?? dash,
                  },
                ]),
          ]}
        />
      )}
    </>
  );
}
