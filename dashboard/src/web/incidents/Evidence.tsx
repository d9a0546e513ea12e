import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { Incident, IncidentEvidence } from '@harbour/shared';
import { ApiRequestError } from '../api';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { DateTime } from '../components/time';

async function sha256Hex(buffer: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * One screenshot: fetched through the audited route, its hash checked again in the browser,
 * shown blurred until someone deliberately reveals it (recorded with who and when).
 * A suspected illegal image is never fetched at all.
 */
function EvidenceCard({
  incident,
  evidence,
  canManage,
  onChanged,
}: {
  incident: Incident;
  evidence: IncidentEvidence;
  canManage: boolean;
  onChanged: (i: Incident) => void;
}) {
  const [url, setUrl] = useState<string | null>(null);
  const [checked, setChecked] = useState<boolean | null>(null);
  const [revealed, setRevealed] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { t } = useTranslation();
  const show = !evidence.suspectedIllegal && evidence.received;

  useEffect(() => {
    if (!show) return;
    let objectUrl: string | null = null;
    let cancelled = false;
    void (async () => {
      try {
        const res = await fetch(`/api/incidents/${incident.id}/evidence/${evidence.sha256}`, {
          credentials: 'same-origin',
        });
        if (!res.ok) {
          const body = (await res.json().catch(() => null)) as {
            error?: { code: string; message: string };
          } | null;
          throw new ApiRequestError(
            res.status,
            res.status === 403 ? 'forbidden' : 'internal',
            body?.error?.message ?? '',
          );
        }
        const buffer = await res.arrayBuffer();
        const ok = (await sha256Hex(buffer)) === evidence.sha256;
        if (cancelled) return;
        setChecked(ok);
        if (ok) {
          objectUrl = URL.createObjectURL(new Blob([buffer], { type: evidence.mime }));
          setUrl(objectUrl);
        }
      } catch (e) {
        if (!cancelled) setError(e);
      }
    })();
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [show, incident.id, evidence.sha256, evidence.mime]);

  async function reveal() {
    setError(null);
    try {
      await api.post(`/api/incidents/${incident.id}/evidence/${evidence.sha256}/reveal`);
      setRevealed(true);
    } catch (e) {
      setError(e);
    }
  }

  async function markIllegal() {
    const sure = window.confirm(t('evidence.illegalConfirm'));
    if (!sure) return;
    try {
      onChanged(
        await api.post<Incident>(
          `/api/incidents/${incident.id}/evidence/${evidence.sha256}/suspected-illegal`,
          {},
        ),
      );
    } catch (e) {
      setError(e);
    }
  }

  return (
    <li className="evidence-card" data-sha256={evidence.sha256}>
      <h3>
        {evidence.kind === 'screenshot'
          ? t('evidence.screenshot')
          : (evidence.label ?? t('evidence.attachment'))}
      </h3>
      {evidence.suspectedIllegal ? (
        <div role="note" className="alert alert-error evidence-illegal">
          <p>
            <Trans i18nKey="evidence.illegal" components={{ strong: <strong /> }} />
          </p>
        </div>
      ) : !evidence.received ? (
        <p className="muted">{t('evidence.notReceived')}</p>
      ) : (
        <>
          <div className={`evidence-frame ${revealed ? '' : 'evidence-blurred'}`}>
            {url ? (
              <img src={url} alt={revealed ? t('evidence.revealedAlt') : t('evidence.blurredAlt')} />
            ) : (
              <span className="muted">{t('common.loading')}</span>
            )}
          </div>
          {checked === false && (
            <p role="alert" className="alert alert-error">
              {t('evidence.hashMismatch')}
            </p>
          )}
          {!revealed && url && (
            <button type="button" className="button button-small" onClick={() => void reveal()}>
              {t('evidence.reveal')}
            </button>
          )}
        </>
      )}
      <p className="hash">
        SHA-256 <code>{evidence.sha256}</code>{' '}
        {checked === true && <span className="badge badge-good">{t('evidence.hashChecked')}</span>}
      </p>
      <p className="hint">
        {t('evidence.added')} <DateTime iso={evidence.addedAt} /> ·{' '}
        {t('evidence.kb', { n: Math.round(evidence.bytes / 1024) })}
      </p>
      {canManage && !evidence.suspectedIllegal && (
        <button
          type="button"
          className="button button-danger button-small"
          onClick={() => void markIllegal()}
        >
          {t('evidence.markIllegal')}
        </button>
      )}
      <ErrorAlert error={error} />
    </li>
  );
}

export function EvidenceSection({
  incident,
  onChanged,
}: {
  incident: Incident;
  onChanged: (i: Incident) => void;
}) {
  const [error, setError] = useState<unknown>(null);
  const { t } = useTranslation();
  const canManage = incident.canManage;

  async function attach(file: File) {
    setError(null);
    try {
      const res = await fetch(
        `/api/incidents/${incident.id}/attachments?label=${encodeURIComponent(file.name.slice(0, 200))}`,
        {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': file.type || 'application/octet-stream' },
          body: file,
        },
      );
      const body = (await res.json().catch(() => ({}))) as Incident & {
        error?: { code: string; message: string };
      };
      if (!res.ok) {
        const code =
          res.status === 413 ? 'payload_too_large' : res.status === 403 ? 'forbidden' : 'bad_request';
        throw new ApiRequestError(res.status, code, body.error?.message ?? '');
      }
      onChanged(body);
    } catch (e) {
      setError(e);
    }
  }

  async function share(shared: boolean) {
    try {
      onChanged(await api.post<Incident>(`/api/incidents/${incident.id}/share-evidence`, { shared }));
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section aria-labelledby="evidence-heading">
      <h2 id="evidence-heading">{t('evidence.title')}</h2>
      {incident.evidenceWithheld > 0 && (
        <p className="notice">{t('evidence.withheld', { count: incident.evidenceWithheld })}</p>
      )}
      {incident.evidence.length === 0 && incident.evidenceWithheld === 0 && (
        <p className="muted">{t('evidence.none')}</p>
      )}
      <ul className="evidence-grid">
        {incident.evidence.map((e) => (
          <EvidenceCard
            key={e.sha256}
            incident={incident}
            evidence={e}
            canManage={canManage}
            onChanged={onChanged}
          />
        ))}
      </ul>
      {canManage && (
        <div className="toolbar">
          {incident.evidence.length > 0 && (
            <a className="button" href={`/api/incidents/${incident.id}/sealed-export`} download>
              {t('evidence.sealed')}
            </a>
          )}
          {incident.evidence.length > 0 && (
            <button type="button" className="button" onClick={() => void share(!incident.evidenceShared)}>
              {incident.evidenceShared ? t('evidence.unshare') : t('evidence.share')}
            </button>
          )}
          {incident.state !== 'closed' && (
            <label className="button">
              {t('evidence.attach')}
              <input
                type="file"
                accept="image/png,image/jpeg"
                className="visually-hidden"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) void attach(file);
                  e.target.value = '';
                }}
              />
            </label>
          )}
        </div>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}
