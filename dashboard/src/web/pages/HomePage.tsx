/**
 * Where each role starts its day (issue 16 item 2), instead of the rooms list for everyone:
 * the DSL's new concerns, actions due and recent flags; a teacher's rooms and lesson; a
 * technician's devices that need attention.
 */
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import {
  can,
  type DueAction,
  type Flag,
  type IncidentSummary,
  type InventoryDevice,
  type RoomOverview,
  type RosterClass,
  type SupervisionSession,
} from '@harbour/shared';
import { withQuery } from '../api';
import { useAlerts } from '../alerts/AlertsContext';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { HealthList } from '../components/HealthList';
import { ShortTime, TimeOfDay } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';
import { useCategories } from '../incidents/categories';
import { useLoad } from '../incidents/useLoad';
import { useFormat } from '../i18n/format';
import { classYearLabel } from '../labels';
import { StartForClass } from './ClassesPage';
import { RoomCards } from './RoomsPage';

/** Today's date where the browser is (the school), as YYYY-MM-DD. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function HomePage() {
  const { t } = useTranslation();
  const user = useUser();
  usePageTitle(t('home.title'));
  return (
    <>
      <h1>{t('home.title')}</h1>
      <p className="lead">{t('home.hello', { name: user.displayName })}</p>
      {user.role === 'dsl' ? <DslHome /> : user.role === 'teacher' ? <TeacherHome /> : <TechnicianHome />}
    </>
  );
}

/** "Loading…" while a section's data is on its way (and nothing once it failed: the error says why). */
function Pending({ load }: { load: { data: unknown; error: unknown } }) {
  const { t } = useTranslation();
  return load.data === null && load.error === null ? <p className="muted">{t('common.loading')}</p> : null;
}

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section className="panel home-section" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      {children}
    </section>
  );
}

function DslHome() {
  const { t } = useTranslation();
  const { concerns, tell } = useAlerts();
  const categories = useCategories();
  const acknowledged = useLoad<{ incidents: IncidentSummary[] }>(
    '/api/incidents?state=acknowledged&limit=20',
  );
  const actions = useLoad<{ actions: DueAction[] }>(withQuery('/api/actions/due', { today: today() }));
  const flags = useLoad<{ flags: Flag[] }>('/api/flags?status=open&limit=5');
  const f = useFormat();
  return (
    <div className="home-grid">
      <Section id="home-new" title={t('home.dsl.new', { count: concerns.length })}>
        {concerns.length === 0 ? (
          <p className="empty">{t('home.dsl.noNew')}</p>
        ) : (
          <ul className="home-list">
            {concerns.map((c) => (
              <li key={c.incidentId} className={c.urgent ? 'home-urgent' : undefined}>
                <Link to={`/incidents/${c.incidentId}`}>{c.ref}</Link> · {categories.label(c.category)} ·{' '}
                <TimeOfDay iso={c.createdAt} />
                {c.recordedBy && <> · {t('alerts.recordedBy', { name: c.recordedBy })}</>}
              </li>
            ))}
          </ul>
        )}
        <h3>{t('home.dsl.acknowledged')}</h3>
        <ErrorAlert error={acknowledged.error} />
        <Pending load={acknowledged} />
        {acknowledged.data &&
          (acknowledged.data.incidents.length === 0 ? (
            <p className="muted">{t('home.dsl.noAcknowledged')}</p>
          ) : (
            <ul className="home-list">
              {acknowledged.data.incidents.map((i) => (
                <li key={i.id}>
                  <Link to={`/incidents/${i.id}`}>{i.ref}</Link> · {categories.label(i.category)} ·{' '}
                  {i.assignedTo?.name ?? t('incidents.nobodyYet')}
                </li>
              ))}
            </ul>
          ))}
      </Section>
      <Section id="home-actions" title={t('home.dsl.actions')}>
        <ErrorAlert error={actions.error} />
        <Pending load={actions} />
        {actions.data &&
          (actions.data.actions.length === 0 ? (
            <p className="empty">{t('home.dsl.noActions')}</p>
          ) : (
            <ul className="home-list">
              {actions.data.actions.map((a) => (
                <li key={a.actionId} className={a.overdue ? 'home-urgent' : undefined}>
                  <strong>
                    {a.overdue ? t('home.dsl.overdue', { date: f.date(a.due) }) : f.date(a.due)}
                  </strong>
                  : {a.what} ({a.who}) · <Link to={`/incidents/${a.incidentId}`}>{a.ref}</Link>
                </li>
              ))}
            </ul>
          ))}
      </Section>
      <Section id="home-live" title={t('home.dsl.live')}>
        {tell.length === 0 ? (
          <p className="empty">{t('home.dsl.noLive')}</p>
        ) : (
          <p>{t('home.dsl.liveCount', { count: tell.length })}</p>
        )}
      </Section>
      <Section id="home-flags" title={t('home.dsl.flags')}>
        <ErrorAlert error={flags.error} />
        <Pending load={flags} />
        {flags.data &&
          (flags.data.flags.length === 0 ? (
            <p className="empty">{t('home.dsl.noFlags')}</p>
          ) : (
            <ul className="home-list">
              {flags.data.flags.map((flag) => (
                <li key={flag.id} className={flag.severity === 'high' ? 'home-urgent' : undefined}>
                  {t(`enums.watchCategory.${flag.category}`)} · {flag.hostname} ·{' '}
                  <TimeOfDay iso={flag.occurredAt} />
                </li>
              ))}
            </ul>
          ))}
        <p>
          <Link to="/flags">{t('home.dsl.allFlags')}</Link>
        </p>
      </Section>
    </div>
  );
}

function TeacherHome() {
  const { t } = useTranslation();
  const rooms = useLoad<{ rooms: RoomOverview[] }>('/api/rooms/overview');
  const lessons = useLoad<{ sessions: SupervisionSession[] }>('/api/supervision');
  const classes = useLoad<{ classes: RosterClass[] }>('/api/classes');
  const mine = rooms.data?.rooms.filter((r) => r.mine) ?? null;
  const lesson = lessons.data?.sessions[0];
  return (
    <div className="home-grid">
      <Section id="home-lesson" title={t('home.teacher.lesson')}>
        <ErrorAlert error={lessons.error} />
        <Pending load={lessons} />
        {lessons.data &&
          (lesson ? (
            <p>
              {t('home.teacher.supervising', { room: lesson.roomName })} <ShortTime iso={lesson.endsAt} />.{' '}
              <Link className="button button-primary" to={`/rooms/${lesson.roomId}`}>
                {t('home.teacher.openRoom', { room: lesson.roomName })}
              </Link>
            </p>
          ) : (
            <p className="empty">{t('home.teacher.noLesson')}</p>
          ))}
      </Section>
      <Section id="home-classes" title={t('classes.yours')}>
        <ErrorAlert error={classes.error} />
        <Pending load={classes} />
        {classes.data &&
          (classes.data.classes.length === 0 ? (
            <p className="empty">{t('classes.noneYours')}</p>
          ) : (
            <ul className="home-list home-classes">
              {classes.data.classes.map((c) => (
                <li key={c.id} data-class-id={c.id}>
                  <strong>{c.name}</strong> · {classYearLabel(t, c.yearGroup)} ·{' '}
                  {t('classes.pupilCount', { count: c.pupils })}
                  {/* A lesson already running is the room's: no second start beside it. */}
                  {!lesson && <StartForClass schoolClass={c} />}
                </li>
              ))}
            </ul>
          ))}
        <p>
          <Link to="/classes">{t('classes.allClasses')}</Link>
        </p>
      </Section>
      <Section id="home-rooms" title={t('home.teacher.rooms')}>
        <ErrorAlert error={rooms.error} />
        <Pending load={rooms} />
        {mine &&
          (mine.length === 0 ? (
            <p className="empty">
              {t('home.teacher.noRooms')} <Link to="/rooms">{t('home.teacher.allRooms')}</Link>
            </p>
          ) : (
            <RoomCards rooms={mine} showSupervision />
          ))}
      </Section>
      {can('teacher', 'viewIncidents') && (
        <Section id="home-record" title={t('incidents.record.title')}>
          <p>{t('home.teacher.record')}</p>
          <p>
            <Link className="button" to="/incidents">
              {t('incidents.record.title')}
            </Link>
          </p>
        </Section>
      )}
    </div>
  );
}

function TechnicianHome() {
  const { t } = useTranslation();
  const user = useUser();
  const devices = useLoad<{ devices: InventoryDevice[] }>('/api/devices');
  const rooms = useLoad<{ rooms: RoomOverview[] }>('/api/rooms/overview');
  const list = devices.data?.devices.filter((d) => !d.revoked) ?? null;
  const roomName = (id: string) => rooms.data?.rooms.find((r) => r.id === id)?.name ?? t('common.dash');
  const problems = list?.filter((d) => d.health.length > 0) ?? [];
  const offline = list?.filter((d) => !d.online) ?? [];
  return (
    <div className="home-grid">
      <Section id="home-health" title={t('home.tech.health', { count: problems.length })}>
        <ErrorAlert error={devices.error} />
        <Pending load={devices} />
        {list &&
          (problems.length === 0 ? (
            <p className="empty">{t('home.tech.healthy')}</p>
          ) : (
            <ul className="home-list">
              {problems.map((d) => (
                <li key={d.id}>
                  <strong>{d.hostname}</strong> ({roomName(d.roomId)}):
                  <HealthList health={d.health} />
                </li>
              ))}
            </ul>
          ))}
        <p>
          <Link to="/devices">{t('home.tech.allDevices')}</Link>
        </p>
      </Section>
      <Section id="home-offline" title={t('home.tech.offline', { count: offline.length })}>
        {list &&
          (offline.length === 0 ? (
            <p className="empty">{t('home.tech.allOnline')}</p>
          ) : (
            <ul className="home-list">
              {offline.slice(0, 20).map((d) => (
                <li key={d.id}>
                  {d.hostname} ({roomName(d.roomId)})
                </li>
              ))}
            </ul>
          ))}
      </Section>
      <Section id="home-rooms" title={t('rooms.title')}>
        <ErrorAlert error={rooms.error} />
        <Pending load={rooms} />
        {rooms.data && (
          <RoomCards rooms={rooms.data.rooms} showSupervision={can(user.role, 'viewSupervision')} />
        )}
      </Section>
    </div>
  );
}
