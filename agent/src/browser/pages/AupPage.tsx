import { useCallback, useEffect, useRef, useState } from 'react';
import type { AupPage as AupData, AupPageDecision } from '@harbour/shared';
import { ui, UiRequestError } from '../api';
import { RuleIcon } from './icons';

type Step = 'reading' | 'confirm-decline' | 'sending' | 'agreed' | 'declined';

/** Everything the page says, in order, for "Read it to me". */
function spoken(data: AupData): string {
  const { content } = data;
  return [
    content.title,
    content.intro,
    ...content.rules.map((r) => r.text),
    content.closing,
    monitoredText(data),
  ]
    .filter(Boolean)
    .join('. ');
}

function monitoredText(data: AupData): string {
  return data.content.layout === 'large'
    ? 'The school can see what you do on this computer, to keep you safe.'
    : 'This computer is monitored: the school can see how it is used, including the websites visited.';
}

/**
 * The acceptable use policy, full screen at logon. Keyboard only works throughout (Tab,
 * Enter, Space); the page starts at its heading; the KS1 layout is large type with a
 * picture for each rule and can be read aloud.
 */
export function AupPage() {
  const [data, setData] = useState<AupData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState<Step>('reading');
  const [speaking, setSpeaking] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  const hash = useRef<string | null>(null);

  const load = useCallback(async () => {
    try {
      const next = await ui.get<AupData>('/api/aup/current');
      setError(null);
      if (next.textHash !== hash.current || next.user.username !== data?.user.username) {
        // A new text (or a new user): start again from the top.
        hash.current = next.textHash;
        setData(next);
        setStep('reading');
      }
    } catch (err) {
      if (err instanceof UiRequestError && err.status === 404) return; // nothing to agree to any more
      setError(err instanceof Error ? err.message : 'Something went wrong. Please ask an adult.');
    }
  }, [data?.user.username]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [load]);

  useEffect(() => {
    if (data) {
      document.title = data.content.title;
      heading.current?.focus();
    }
  }, [data]);

  useEffect(() => {
    if (step === 'confirm-decline') confirmHeading.current?.focus();
    if (step === 'reading') heading.current?.focus();
  }, [step]);

  useEffect(() => () => window.speechSynthesis?.cancel(), []);

  async function send(decision: AupPageDecision['decision']) {
    if (!data) return;
    window.speechSynthesis?.cancel();
    setStep('sending');
    try {
      await ui.post('/api/aup/decision', { decision, textHash: data.textHash });
      setStep(decision === 'accepted' ? 'agreed' : 'declined');
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Something went wrong. Please try again.');
      setStep('reading');
      void load();
    }
  }

  function readAloud() {
    if (!data || !('speechSynthesis' in window)) return;
    window.speechSynthesis.cancel();
    if (speaking) {
      setSpeaking(false);
      return;
    }
    const utterance = new SpeechSynthesisUtterance(spoken(data));
    utterance.lang = 'en-GB';
    utterance.rate = 0.9;
    utterance.onend = () => setSpeaking(false);
    utterance.onerror = () => setSpeaking(false);
    setSpeaking(true);
    window.speechSynthesis.speak(utterance);
  }

  if (!data) {
    return (
      <main className="page">
        <p role="status">{error ?? 'Loading…'}</p>
      </main>
    );
  }

  const { content } = data;
  const large = content.layout === 'large';
  const name = data.user.displayName ?? data.user.username;
  const canSpeak = typeof window !== 'undefined' && 'speechSynthesis' in window;

  if (step === 'agreed') {
    return (
      <main className="page aup aup-done">
        <h1 tabIndex={-1}>Thank you, {name}!</h1>
        <p role="status">You can use the computer now.</p>
      </main>
    );
  }
  if (step === 'declined') {
    return (
      <main className="page aup aup-done">
        <h1 tabIndex={-1}>You did not agree</h1>
        <p role="status">You are being signed out. Please tell an adult.</p>
      </main>
    );
  }

  return (
    <main className={large ? 'page aup aup-large' : 'page aup'} aria-labelledby="aup-title">
      <p className="aup-hello">Hello, {name}.</p>
      <h1 id="aup-title" ref={heading} tabIndex={-1}>
        {content.title}
      </h1>
      {canSpeak && (
        <button
          type="button"
          className="button button-quiet aup-read"
          onClick={readAloud}
          aria-pressed={speaking}
        >
          {speaking ? 'Stop reading' : 'Read it to me'}
        </button>
      )}
      {content.intro && <p className="aup-intro">{content.intro}</p>}
      <ol className="aup-rules" aria-label="The rules">
        {content.rules.map((rule, index) => (
          <li key={index} className="aup-rule">
            {rule.icon && <RuleIcon icon={rule.icon} label={rule.iconLabel} />}
            <span className="aup-rule-text">{rule.text}</span>
          </li>
        ))}
      </ol>
      {content.closing && <p className="aup-closing">{content.closing}</p>}
      <p className="aup-monitored">
        <strong>{monitoredText(data)}</strong>
      </p>
      {error && (
        <div role="alert" className="alert">
          <p>{error}</p>
        </div>
      )}
      {step === 'confirm-decline' ? (
        <section className="aup-confirm" aria-labelledby="aup-confirm-title">
          <h2 id="aup-confirm-title" ref={confirmHeading} tabIndex={-1}>
            Are you sure?
          </h2>
          <p>If you do not agree, you cannot use the computer and you will be signed out.</p>
          <div className="aup-actions">
            <button type="button" className="button button-agree" onClick={() => setStep('reading')}>
              Go back
            </button>
            <button type="button" className="button button-decline" onClick={() => void send('declined')}>
              Yes, sign me out
            </button>
          </div>
        </section>
      ) : (
        <div className="aup-actions">
          <button
            type="button"
            className="button button-agree"
            disabled={step === 'sending'}
            onClick={() => void send('accepted')}
          >
            <span aria-hidden="true">✓</span> I agree
          </button>
          <button
            type="button"
            className="button button-decline"
            disabled={step === 'sending'}
            onClick={() => setStep('confirm-decline')}
          >
            I don’t agree
          </button>
        </div>
      )}
    </main>
  );
}
