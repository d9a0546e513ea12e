import { useEffect, useState } from 'react';
import type { Incident, IncidentEvidence } from '@harbour/shared';
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
        if (!res.ok) throw new Error(((await res.json()) as { error: { message: string } }).error.message);
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
    const sure = window.confirm(
      'Mark this as a suspected illegal image? From now on nobody, including you, can view it in Harbour. It can only be exported as a sealed package for the police. This cannot be undone.',
    );
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
      <h3>{evidence.kind === 'screenshot' ? 'Screenshot' : (evidence.label ?? 'Attachment')}</h3>
      {evidence.suspectedIllegal ? (
        <div role="note" className="alert alert-error evidence-illegal">
          <p>
            <strong>Suspected illegal image.</strong> It cannot be shown in Harbour. Do not look for it
            elsewhere; it leaves only in the sealed package for the police.
          </p>
        </div>
      ) : !evidence.received ? (
        <p className="muted">This screenshot has not reached the server yet.</p>
      ) : (
        <>
          <div className={`evidence-frame ${revealed ? '' : 'evidence-blurred'}`}>
            {url ? (
              <img src={url} alt={revealed ? 'Screenshot from the pupil’s computer' : 'Blurred screenshot'} />
            ) : (
              <span className="muted">Loading…</span>
            )}
          </div>
          {checked === false && (
            <p role="alert" className="alert alert-error">
              This file does not match its recorded hash and is not shown.
            </p>
          )}
          {!revealed && url && (
            <button type="button" className="button button-small" onClick={() => void reveal()}>
              Reveal (recorded)
            </button>
          )}
        </>
      )}
      <p className="hash">
        SHA-256 {evidence.sha256} {checked === true && <span className="badge badge-good">hash checked</span>}
      </p>
      <p className="hint">
        Added <DateTime iso={evidence.addedAt} /> · {Math.round(evidence.bytes / 1024)} KB
      </p>
      {canManage && !evidence.suspectedIllegal && (
        <button
          type="button"
          className="button button-danger button-small"
          onClick={() => void markIllegal()}
        >
          Mark as suspected illegal image
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
      const body = (await res.json()) as Incident & { error?: { message: string } };
      if (!res.ok) throw new Error(body.error?.message ?? 'The attachment was refused.');
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
      <h2 id="evidence-heading">Evidence</h2>
      {incident.evidenceWithheld > 0 && (
        <p className="notice">
          There{' '}
          {incident.evidenceWithheld === 1
            ? 'is 1 screenshot'
            : `are ${incident.evidenceWithheld} screenshots`}{' '}
          the DSL has not shared with you.
        </p>
      )}
      {incident.evidence.length === 0 && incident.evidenceWithheld === 0 && (
        <p className="muted">No screenshots or attachments.</p>
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
              Sealed package for the police
            </a>
          )}
          {incident.evidence.length > 0 && (
            <button type="button" className="button" onClick={() => void share(!incident.evidenceShared)}>
              {incident.evidenceShared
                ? 'Stop sharing evidence with teachers'
                : 'Share evidence with teachers'}
            </button>
          )}
          {incident.state !== 'closed' && (
            <label className="button">
              Attach an image
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
