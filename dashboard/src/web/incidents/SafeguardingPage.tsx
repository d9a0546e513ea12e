import { useEffect, useState } from 'react';
import type { AuditVerify, SafeguardingSettings } from '@harbour/shared';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { DateTime } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';
import { useLoad } from './useLoad';

/** The DSL's settings: categories, retention, email, screen release, and the trail check. */
export function SafeguardingPage() {
  usePageTitle('Safeguarding settings');
  const { data, error, set } = useLoad<SafeguardingSettings>('/api/safeguarding/settings');
  const purges = useLoad<{
    purges: { id: number; at: string; recordType: string; count: number; detail: string }[];
  }>('/api/retention/purges');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [categories, setCategories] = useState('');
  const [retention, setRetention] = useState({ incidents: '', evidence: '' });
  const [smtp, setSmtp] = useState({ host: '', port: '587', username: '', password: '', from: '', to: '' });
  const [pin, setPin] = useState('');
  const [verify, setVerify] = useState<AuditVerify | null>(null);

  useEffect(() => {
    if (!data) return;
    setCategories(
      data.categories.map((c) => `${c.id}: ${c.label}${c.retired ? ' (retired)' : ''}`).join('\n'),
    );
    setRetention({ incidents: String(data.retention.incidents), evidence: String(data.retention.evidence) });
    if (data.smtp) {
      setSmtp({
        host: data.smtp.host,
        port: String(data.smtp.port),
        username: data.smtp.username ?? '',
        password: data.smtp.password ?? '',
        from: data.smtp.from,
        to: data.smtp.to.join(', '),
      });
    }
  }, [data]);

  async function save(body: unknown, what: string) {
    setSaveError(null);
    setSaved(null);
    try {
      set(await api.patch<SafeguardingSettings>('/api/safeguarding/settings', body));
      setSaved(`${what} saved.`);
    } catch (e) {
      setSaveError(e);
    }
  }

  const parsedCategories = () =>
    categories
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((line) => {
        const [id = '', ...rest] = line.split(':');
        const label = rest.join(':').trim();
        const retired = /\(retired\)$/.test(label);
        return { id: id.trim(), label: label.replace(/\s*\(retired\)$/, ''), retired };
      });

  return (
    <>
      <h1>Safeguarding settings</h1>
      <ErrorAlert error={error} />
      <ErrorAlert error={saveError} />
      <div role="status">{saved && <p className="confirmation">{saved}</p>}</div>
      {data && (
        <>
          <section className="panel">
            <h2>Incident categories</h2>
            <p className="hint">
              One per line, as “id: label”. Add “(retired)” to stop using one; categories in use cannot be
              removed.
            </p>
            <label htmlFor="categories">Categories</label>
            <textarea
              id="categories"
              rows={14}
              value={categories}
              onChange={(e) => setCategories(e.target.value)}
            />
            <button
              type="button"
              className="button button-primary"
              onClick={() => void save({ categories: parsedCategories() }, 'Categories')}
            >
              Save categories
            </button>
          </section>

          <section className="panel">
            <h2>Retention</h2>
            <p className="hint">
              Closed records are purged automatically after these many years; each purge is recorded below.
            </p>
            <TextField
              label="Incidents (years after closing)"
              type="number"
              value={retention.incidents}
              onChange={(v) => setRetention((r) => ({ ...r, incidents: v }))}
            />
            <TextField
              label="Screenshots and attachments (years after closing)"
              type="number"
              value={retention.evidence}
              onChange={(v) => setRetention((r) => ({ ...r, evidence: v }))}
            />
            <button
              type="button"
              className="button button-primary"
              onClick={() =>
                void save(
                  {
                    retention: {
                      incidents: Number(retention.incidents),
                      evidence: Number(retention.evidence),
                    },
                  },
                  'Retention',
                )
              }
            >
              Save retention
            </button>
            <h3>What has been purged</h3>
            {purges.data?.purges.length ? (
              <ul>
                {purges.data.purges.map((p) => (
                  <li key={p.id}>
                    <DateTime iso={p.at} />: {p.count} {p.recordType} ({p.detail})
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">Nothing yet.</p>
            )}
          </section>

          <section className="panel">
            <h2>Covered screens</h2>
            <label className="check">
              <input
                type="checkbox"
                checked={data.pupilsMayRelease}
                onChange={(e) => void save({ pupilsMayRelease: e.target.checked }, 'Setting')}
              />{' '}
              Let pupils release their own covered screen (for older pupils)
            </label>
            <p>
              {data.staffPinSet
                ? 'A staff PIN is set.'
                : 'No staff PIN is set yet: adults can only release screens from the dashboard.'}
            </p>
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                setSaveError(null);
                api.put('/api/safeguarding/staff-pin', { pin }).then(
                  () => {
                    setPin('');
                    setSaved('Staff PIN saved.');
                    set({ ...data, staffPinSet: true });
                  },
                  (err: unknown) => setSaveError(err),
                );
              }}
              noValidate
            >
              <TextField
                label="New staff PIN (4 to 8 digits)"
                type="password"
                inputMode="numeric"
                autoComplete="new-password"
                value={pin}
                onChange={setPin}
              />
              <button type="submit" className="button">
                Set PIN
              </button>
            </form>
          </section>

          <section className="panel">
            <h2>Email</h2>
            <p className="hint">
              When a concern is recorded, Harbour emails these addresses through the school’s mail server. The
              email names no pupil.
            </p>
            <TextField
              label="SMTP server"
              value={smtp.host}
              onChange={(v) => setSmtp((s) => ({ ...s, host: v }))}
            />
            <TextField
              label="Port"
              type="number"
              value={smtp.port}
              onChange={(v) => setSmtp((s) => ({ ...s, port: v }))}
            />
            <TextField
              label="Username"
              value={smtp.username}
              onChange={(v) => setSmtp((s) => ({ ...s, username: v }))}
            />
            <TextField
              label="Password"
              type="password"
              value={smtp.password}
              onChange={(v) => setSmtp((s) => ({ ...s, password: v }))}
            />
            <TextField
              label="From address"
              type="email"
              value={smtp.from}
              onChange={(v) => setSmtp((s) => ({ ...s, from: v }))}
            />
            <TextField
              label="Send to (comma-separated)"
              value={smtp.to}
              onChange={(v) => setSmtp((s) => ({ ...s, to: v }))}
            />
            <div className="toolbar">
              <button
                type="button"
                className="button button-primary"
                onClick={() =>
                  void save(
                    {
                      smtp: {
                        host: smtp.host,
                        port: Number(smtp.port),
                        secure: Number(smtp.port) === 465,
                        ...(smtp.username ? { username: smtp.username } : {}),
                        ...(smtp.password ? { password: smtp.password } : {}),
                        from: smtp.from,
                        to: smtp.to
                          .split(',')
                          .map((t) => t.trim())
                          .filter(Boolean),
                      },
                    },
                    'Email settings',
                  )
                }
              >
                Save email settings
              </button>
              <button
                type="button"
                className="button button-quiet"
                onClick={() => void save({ smtp: null }, 'Email turned off;')}
              >
                Turn email off
              </button>
            </div>
          </section>
        </>
      )}
      <section className="panel">
        <h2>Audit trail</h2>
        <p className="hint">
          Checks every entry of the keyed hash chain and the signed checkpoints kept outside the database. Any
          entry changed, removed or reordered, and entries cut from the end, are named.
        </p>
        <button
          type="button"
          className="button"
          onClick={() => {
            setVerify(null);
            api.get<AuditVerify>('/api/audit/verify').then(setVerify, (e: unknown) => setSaveError(e));
          }}
        >
          Check the trail
        </button>
        <div role="status" data-testid="audit-verify">
          {verify &&
            (verify.ok ? (
              <p className="confirmation">
                The trail is intact ({verify.entries} entries).
                {verify.checkpoint && (
                  <>
                    {' '}
                    Latest signed checkpoint: {verify.checkpoint.entries} entries, ending in{' '}
                    <code>{verify.checkpoint.head.slice(0, 16)}</code> (
                    <DateTime iso={verify.checkpoint.at} />
                    ). Note it down: a later check showing fewer entries or another ending means the trail was
                    cut short or replaced.
                  </>
                )}
              </p>
            ) : verify.brokenAt ? (
              <p className="alert alert-error">
                The trail is broken at entry {verify.brokenAt.id} ({verify.brokenAt.action},{' '}
                <DateTime iso={verify.brokenAt.at} />
                ): {verify.reason}
              </p>
            ) : (
              <p className="alert alert-error">The trail is broken: {verify.reason}</p>
            ))}
        </div>
      </section>
    </>
  );
}
