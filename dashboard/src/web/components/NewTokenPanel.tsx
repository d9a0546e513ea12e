import { useEffect, useRef, useState } from 'react';

/** Where the agent keeps its credentials on the computer being enrolled. */
const dataDir = './harbour-agent-data';

/** Shows a freshly created enrolment token once, with the command that uses it. */
export function NewTokenPanel({ token, roomName }: { token: string; roomName: string }) {
  const command = `npm run agent -- --server ${window.location.origin} --enroll ${token} --data-dir ${dataDir}`;
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Move focus here so keyboard and screen-reader users find the token straight away.
  useEffect(() => {
    headingRef.current?.focus();
  }, [token]);

  return (
    <section className="panel panel-highlight">
      <h2 id="created-token-heading" ref={headingRef} tabIndex={-1}>
        Token created for {roomName}
      </h2>
      <p className="notice">
        <strong>This token is shown only once.</strong> Copy it now: Harbour keeps only a fingerprint of it
        and cannot show it again. Treat it like a password.
      </p>
      <h3>Token</h3>
      <div className="copy-row">
        <code className="secret" data-testid="new-token">
          {token}
        </code>
        <CopyButton text={token} label="Copy token" />
      </div>
      <h3>Command to run on each computer</h3>
      <p className="hint">
        Run this in the Harbour agent&rsquo;s folder on the computer you are enrolling. The data folder is
        where the agent keeps its own credentials; change it if you like.
      </p>
      <div className="copy-row">
        <code className="command" data-testid="enrol-command">
          {command}
        </code>
        <CopyButton text={command} label="Copy command" />
      </div>
    </section>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [result, setResult] = useState<'copied' | 'failed' | null>(null);

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
        {result === 'copied' && 'Copied'}
        {result === 'failed' && 'Could not copy: select the text and copy it yourself'}
      </span>
    </span>
  );
}
