import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActivityInterval, Device, Flag, Room } from '@harbour/shared';
import { ApiRequestError, api, withQuery } from '../api';
import { ActivityTable, dayRange, formatDuration, today } from '../components/activity';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { DateField, SelectField, TextField, TimeField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';

interface Result {
  intervals: ActivityInterval[];
  truncated: boolean;
  flags?: Flag[];
}

interface DomainTotal {
  domain: string;
  seconds: number;
  visits: number;
}

function useRoomsAndDevices() {
  const [rooms, setRooms] = useState<Room[]>([]);
  const [devices, setDevices] = useState<Device[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let cancelled = false;
    Promise.all([
      api.get<{ rooms: Room[] }>('/api/rooms'),
      api.get<{ devices: Device[] }>('/api/devices'),
    ]).then(
      ([r, d]) => {
        if (cancelled) return;
        setRooms(r.rooms);
        setDevices(d.devices);
      },
      (e: unknown) => {
        if (!cancelled) setError(e);
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return { rooms, devices, error };
}

/** A look-up form: `search` shows what the look-up finds, or its error and no result. */
function useSearch<T>() {
  const { busy, error, run } = useSubmit();
  const [result, setResult] = useState<T | null>(null);
  const search = (lookUp: () => Promise<T>) =>
    run(async () => {
      try {
        setResult(await lookUp());
      } catch (err) {
        setResult(null);
        throw err;
      }
    });
  return { busy, error, result, search };
}

/** Problems found before asking the server, each tied to its field. */
function refuse(problems: { path: string; message: string }[]): void {
  if (problems.length === 0) return;
  throw new ApiRequestError(0, 'validation_failed', problems[0]?.message ?? '', problems);
}

const isDay = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
const isTime = (value: string) => /^\d{2}:\d{2}(:\d{2})?$/.test(value);

/** Timeline of a computer or a pupil for a day, search, and top websites per room. Every read is audited. */
export function ActivityPage() {
  const { t } = useTranslation();
  usePageTitle(t('activity.title'));
  const { rooms, devices, error } = useRoomsAndDevices();
  return (
    <>
      <h1>{t('activity.title')}</h1>
      <p className="lead">{t('activity.lead')}</p>
      <ErrorAlert error={error} />
      <Timeline devices={devices} />
      <Search rooms={rooms} />
      <TopDomains rooms={rooms} />
    </>
  );
}

function Timeline({ devices }: { devices: Device[] }) {
  const { t } = useTranslation();
  const [who, setWho] = useState<'device' | 'user'>('device');
  const [deviceId, setDeviceId] = useState('');
  const [user, setUser] = useState('');
  const [date, setDate] = useState(today());
  const { busy, error, result, search } = useSearch<Result>();
  const options = useMemo(
    () => [
      { value: '', label: t('activity.timeline.chooseComputer') },
      ...devices.map((d) => ({ value: d.id, label: d.hostname })),
    ],
    [devices, t],
  );

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await search(async () => {
      refuse([
        ...(who === 'device' && deviceId === ''
          ? [{ path: 'deviceId', message: t('activity.timeline.computerMissing') }]
          : []),
        ...(who === 'user' && user.trim() === ''
          ? [{ path: 'user', message: t('activity.userMissing') }]
          : []),
        ...(isDay(date) ? [] : [{ path: 'date', message: t('activity.dayInvalid') }]),
      ]);
      const query = who === 'device' ? { deviceId } : { user: user.trim() };
      const found = await api.get<Result>(withQuery('/api/activity', { ...query, ...dayRange(date) }));
      // The day's flags, so the rows where a watch list matched stand out.
      const flags = await api
        .get<{ flags: Flag[] }>(
          withQuery('/api/flags', {
            ...(who === 'device' ? { deviceId } : {}),
            ...dayRange(date),
            limit: '500',
          }),
        )
        .then(
          (r) => (who === 'user' ? r.flags.filter((f) => f.user === user.trim()) : r.flags),
          () => [],
        );
      return { ...found, flags };
    });
  }

  return (
    <section className="panel panel-wide" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">{t('activity.timeline.title')}</h2>
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate className="inline-form">
          <SelectField
            label={t('common.show')}
            value={who}
            onChange={(v) => setWho(v === 'user' ? 'user' : 'device')}
            options={[
              { value: 'device', label: t('activity.timeline.aComputer') },
              { value: 'user', label: t('activity.timeline.aPupil') },
            ]}
          />
          {who === 'device' ? (
            <SelectField
              label={t('activity.columns.computer')}
              name="deviceId"
              invalid={t('activity.timeline.computerMissing')}
              value={deviceId}
              onChange={setDeviceId}
              options={options}
            />
          ) : (
            <TextField
              label={t('activity.pupilName')}
              name="user"
              invalid={t('activity.userMissing')}
              hint={t('activity.pupilNameHint')}
              value={user}
              onChange={setUser}
            />
          )}
          <DateField
            label={t('activity.day')}
            name="date"
            invalid={t('activity.dayInvalid')}
            value={date}
            onChange={setDate}
            required
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('activity.timeline.submit')}
          </button>
        </form>
      </FormProblems>
      <ErrorAlert error={error} />
      {result && (
        <>
          <ActivityTable
            intervals={result.intervals}
            flags={result.flags}
            caption={t('activity.timeline.caption')}
            showDevice={who === 'user'}
          />
          {result.truncated && (
            <p className="notice">{t('activity.truncated', { count: result.intervals.length })}</p>
          )}
        </>
      )}
    </section>
  );
}

function Search({ rooms }: { rooms: Room[] }) {
  const { t } = useTranslation();
  const [domain, setDomain] = useState('');
  const [user, setUser] = useState('');
  const [roomId, setRoomId] = useState('');
  const [date, setDate] = useState(today());
  const [fromTime, setFromTime] = useState('00:00');
  const [toTime, setToTime] = useState('23:59');
  const { busy, error, result, search } = useSearch<Result>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await search(async () => {
      refuse([
        ...(isDay(date) ? [] : [{ path: 'date', message: t('activity.dayInvalid') }]),
        ...(isTime(fromTime) ? [] : [{ path: 'fromTime', message: t('activity.timeInvalid') }]),
        ...(isTime(toTime) ? [] : [{ path: 'toTime', message: t('activity.timeInvalid') }]),
        ...(isTime(fromTime) && isTime(toTime) && toTime <= fromTime
          ? [{ path: 'toTime', message: t('activity.search.toBeforeFrom') }]
          : []),
      ]);
      const from = new Date(`${date}T${fromTime}`).toISOString();
      const to = new Date(`${date}T${toTime}`).toISOString();
      return api.get<Result>(withQuery('/api/activity/search', { domain, user, roomId, from, to }));
    });
  }

  return (
    <section className="panel panel-wide" aria-labelledby="search-heading">
      <h2 id="search-heading">{t('activity.search.title')}</h2>
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate className="inline-form">
          <TextField
            label={t('activity.columns.website')}
            name="domain"
            hint={t('activity.search.websiteHint')}
            value={domain}
            onChange={setDomain}
          />
          <TextField label={t('activity.pupilName')} name="user" value={user} onChange={setUser} />
          <SelectField
            label={t('common.room')}
            name="roomId"
            value={roomId}
            onChange={setRoomId}
            options={[
              { value: '', label: t('common.allRooms') },
              ...rooms.map((r) => ({ value: r.id, label: r.name })),
            ]}
          />
          <DateField
            label={t('activity.day')}
            name="date"
            invalid={t('activity.dayInvalid')}
            value={date}
            onChange={setDate}
            required
          />
          <TimeField
            label={t('activity.columns.from')}
            name="fromTime"
            value={fromTime}
            onChange={setFromTime}
            required
          />
          <TimeField
            label={t('activity.columns.to')}
            name="toTime"
            value={toTime}
            onChange={setToTime}
            required
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('activity.search.submit')}
          </button>
        </form>
      </FormProblems>
      <ErrorAlert error={error} />
      {result && (
        <ActivityTable intervals={result.intervals} caption={t('activity.search.caption')} showDevice />
      )}
    </section>
  );
}

function TopDomains({ rooms }: { rooms: Room[] }) {
  const { t } = useTranslation();
  const [roomId, setRoomId] = useState('');
  const [date, setDate] = useState(today());
  const { busy, error, result: domains, search } = useSearch<DomainTotal[]>();
  const room = roomId || rooms[0]?.id || '';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await search(async () => {
      refuse(isDay(date) ? [] : [{ path: 'date', message: t('activity.dayInvalid') }]);
      const data = await api.get<{ domains: DomainTotal[] }>(
        withQuery('/api/activity/top-domains', { roomId: room, ...dayRange(date) }),
      );
      return data.domains;
    });
  }

  return (
    <section className="panel panel-wide" aria-labelledby="top-heading">
      <h2 id="top-heading">{t('activity.top.title')}</h2>
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate className="inline-form">
          <SelectField
            label={t('common.room')}
            value={room}
            onChange={setRoomId}
            options={rooms.map((r) => ({ value: r.id, label: r.name }))}
          />
          <DateField
            label={t('activity.day')}
            name="date"
            invalid={t('activity.dayInvalid')}
            value={date}
            onChange={setDate}
            required
          />
          <button type="submit" className="button button-primary" disabled={busy || room === ''}>
            {t('activity.top.submit')}
          </button>
        </form>
      </FormProblems>
      <ErrorAlert error={error} />
      {domains &&
        (domains.length === 0 ? (
          <p className="empty">{t('activity.top.none')}</p>
        ) : (
          <DataTable
            caption={t('activity.top.caption')}
            rows={domains}
            rowKey={(d) => d.domain}
            columns={[
              {
                key: 'domain',
                header: t('activity.columns.website'),
                rowHeader: true,
                cell: (d) => d.domain,
              },
              {
                key: 'time',
                header: t('activity.columns.duration'),
                cell: (d) => formatDuration(t, d.seconds),
              },
              { key: 'visits', header: t('activity.top.visits'), cell: (d) => d.visits },
            ]}
          />
        ))}
    </section>
  );
}
