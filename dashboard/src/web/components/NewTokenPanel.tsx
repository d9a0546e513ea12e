import { useEffect, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';

/** Where the agent keeps its credentials on the computer being enrolled. */
const dataDir = './harbour-agent-data';

/**
 * Shows a freshly created enrolment token once, with the command that uses it. The command
 * holds no token (`--enroll -` reads it from standard input): every local user can read a
 * process's command line, and a shell keeps it in its history.
 */
export function NewTokenPanel({ token, roomName }: { token: string; roomName: string }) {
  const command = `npm run agent -- --server ${window.location.origin} --enroll - --data-dir ${dataDir}`;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const { t } = useTranslation();

  // Move focus here so keyboard and screen-reader users find the token straight away.
  useEffect(() => {
    headingRef.current?.focus();
  }, [token]);

  return (
    <section className="panel panel-highlight">
      <h2 id="created-token-heading" ref={headingRef} tabIndex={-1}>
        {t('enrolment.created.title', { room: roomName })}
      </h2>
      <p className="notice">
        <Trans i18nKey="enrolment.created.once" components={{ strong: <strong /> }} />
      </p>
      <h3>{t('enrolment.created.token')}</h3>
      <div className="copy-row">
        <code className="secret" data-testid="new-token">
          {token}
        </code>
        <CopyButton text={token} label={t('enrolment.created.copyToken')} />
      </div>
      <h3>{t('enrolment.created.command')}</h3>
      <p className="hint">{t('enrolment.created.commandHint')}</p>
      <div className="copy-row">
        <code className="command" data-testid="enrol-command">
          {command}
        </code>
        <CopyButton text={command} label={t('enrolment.created.copyCommand')} />
      </div>
    </section>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [result, setResult] = useState<'copied' | 'failed' | null>(null);
  const { t } = useTranslation();

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setResult('copied');
    } catch {
      setResult('failed');
    }
  }

  return (
    <span className="copy">
      <button type="button" className="button button-small" onClick={() => void copy()}>
        {label}
      </button>
      <span aria-live="polite" className="copy-result">
        {result === 'copied' && t('enrolment.created.copied')}
        {result === 'failed' && t('enrolment.created.copyFailed')}
      </span>
    </span>
  );
}
