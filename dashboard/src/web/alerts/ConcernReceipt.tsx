/**
 * What the person who recorded a concern sees: that it was sent, then (live) that a DSL's
 * dashboard showed it and whose, then who acknowledged it. Read from the server, then kept
 * up to date by the receipts pushed to this user.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConcernReceipt } from '@harbour/shared';
import { api } from '../api';
import { useFormat } from '../i18n/format';
import { useAlerts } from './AlertsContext';

/** The later of two receipts for the same concern (a receipt only ever gains facts). */
function newer(a: ConcernReceipt | null, b: ConcernReceipt | undefined): ConcernReceipt | null {
  if (!b) return a;
  if (!a) return b;
  const facts = (r: ConcernReceipt) => Number(r.received !== null) + Number(r.acknowledged !== null);
  return facts(b) >= facts(a) ? b : a;
}

export function ConcernReceiptNote({
  incidentId,
  initial,
}: {
  incidentId: string;
  /** The receipt that came with the incident, if it was loaded; otherwise it is read here. */
  initial?: ConcernReceipt;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const { receipts } = useAlerts();
  const [loaded, setLoaded] = useState<ConcernReceipt | null>(initial ?? null);

  useEffect(() => {
    if (initial) {
      setLoaded(initial);
      return;
    }
    let cancelled = false;
    api.get<ConcernReceipt>(`/api/concerns/${incidentId}/receipt`).then(
      (r) => {
        if (!cancelled) setLoaded(r);
      },
      // Not theirs to follow (or not found): nothing to show.
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [incidentId, initial]);

  const receipt = newer(loaded, receipts[incidentId]);
  if (!receipt) return null;
  const received = receipt.received;
  return (
    <div
      className={`receipt${received ? ' receipt-received' : ''}`}
      role="status"
      data-testid="concern-receipt"
    >
      <p>
        {received
          ? t('receipt.received', { name: received.by, time: f.shortTime(received.at) })
          : t('receipt.sent', { time: f.shortTime(receipt.sentAt) })}
      </p>
      {receipt.acknowledged && (
        <p>
          {t('receipt.acknowledged', {
            name: receipt.acknowledged.by,
            time: f.shortTime(receipt.acknowledged.at),
          })}
        </p>
      )}
    </div>
  );
}
