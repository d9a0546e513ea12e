import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Recovery codes, shown once: the server never shows them again, and neither does the page
 * (they live only in the caller's state, which "I have kept them" clears). Copy puts them on
 * the clipboard; Print prints just them (the print style hides the rest of the page).
 */
export function RecoveryCodes({ codes, onKept }: { codes: string[]; onKept: () => void }) {
  const { t } = useTranslation();
  const [kept, setKept] = useState(false);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  }

  return (
    <section className="panel recovery-codes" aria-labelledby="recovery-codes-title">
      <h2 id="recovery-codes-title">{t('secondFactor.codes.title')}</h2>
      <p>{t('secondFactor.codes.intro')}</p>
      <ol className="recovery-code-list" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <p className="button-row no-print">
        <button type="button" className="button" onClick={() => void copy()}>
          {t('secondFactor.codes.copy')}
        </button>
        <button type="button" className="button" onClick={() => window.print()}>
          {t('common.print')}
        </button>
      </p>
      <div role="status" className="confirmation no-print">
        {copied === 'yes' && <p>{t('secondFactor.codes.copied')}</p>}
        {copied === 'no' && <p>{t('secondFactor.codes.copyFailed')}</p>}
      </div>
      <div className="field field-checkbox no-print">
        <label>
          <input type="checkbox" checked={kept} onChange={(event) => setKept(event.target.checked)} />{' '}
          {t('secondFactor.codes.keptCheck')}
        </label>
      </div>
      <button type="button" className="button button-primary no-print" disabled={!kept} onClick={onKept}>
        {t('secondFactor.codes.kept')}
      </button>
    </section>
  );
}
