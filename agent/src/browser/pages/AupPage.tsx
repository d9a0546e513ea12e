import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { AupPage as AupData, AupPageDecision } from '@harbour/shared';
import { ui, UiRequestError } from '../api';
import {
  currentLanguage,
  isLanguage,
  languageNames,
  languages,
  locales,
  setLanguage,
  type Language,
} from '../i18n';
import { RuleIcon } from './icons';
import { ReadAloudButton } from './ReadAloud';

type Step = 'reading' | 'confirm-decline' | 'sending' | 'agreed' | 'declined';

function monitoredText(t: TFunction, data: AupData): string {
  return data.content.layout === 'large' ? t('aup.monitoredLarge') : t('aup.monitored');
}

/** The page's words follow the pupil's choice, else the policy's own language, else the school's. */
function languageFor(data: AupData, chosen: Language | null): Language {
  if (chosen) return chosen;
  if (isLanguage(data.content.language)) return data.content.language;
  if (isLanguage(data.language)) return data.language;
  return currentLanguage();
}

/**
 * The acceptable use policy, full screen at logon. Keyboard only works throughout (Tab,
 * Enter, Space); the page starts at its heading; the KS1 layout is large type with a
 * picture for each rule and can be read aloud. A pupil can switch between English and Welsh.
 */
export function AupPage() {
  const { t } = useTranslation();
  const [data, setData] = useState<AupData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState<Step>('reading');
  const [audioState, setAudioState] = useState<NonNullable<AupData['audio']>>('pending');
  const [chosen, setChosen] = useState<Language | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  const hash = useRef<string | null>(null);

  const load = useCallback(async () => {
    try {
      const next = await ui.get<AupData>('/api/aup/current');
      setError(null);
      setAudioState(next.audio ?? 'unavailable');
      if (next.textHash !== hash.current || next.user.username !== data?.user.username) {
        // A new text (or a new user): start again from the top.
        hash.current = next.textHash;
        setData(next);
        setStep('reading');
      }
    } catch (err) {
      if (err instanceof UiRequestError && err.status === 404) return; // nothing to agree to any more
      setError(t('errors.askAdult'));
    }
  }, [data?.user.username, t]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [load]);

  useEffect(() => {
    if (data) setLanguage(languageFor(data, chosen));
  }, [data, chosen]);

  useEffect(() => {
    if (data) {
      document.title = data.content.title;
      heading.current?.focus();
    }
  }, [data]);

  useEffect(() => {
    if (step === 'confirm-decline') {
      // The question may be below the fold on a small screen: bring it into view, then focus it.
      confirmHeading.current?.scrollIntoView({ block: 'center' });
      confirmHeading.current?.focus({ preventScroll: true });
    }
    if (step === 'reading') heading.current?.focus();
  }, [step]);

  async function send(decision: AupPageDecision['decision']) {
    if (!data) return;
    setStep('sending');
    try {
      await ui.post('/api/aup/decision', { decision, textHash: data.textHash });
      setStep(decision === 'accepted' ? 'agreed' : 'declined');
    } catch (err) {
      setError(
        err instanceof UiRequestError && err.code === 'conflict' ? t('aup.changed') : t('errors.tryAgain'),
      );
      setStep('reading');
      void load();
    }
  }

  if (!data) {
    return (
      <main className="page">
        <p role="status">{error ?? t('app.loading')}</p>
      </main>
    );
  }

  const { content } = data;
  const large = content.layout === 'large';
  const name = data.user.displayName ?? data.user.username;
  const contentLang = isLanguage(content.language) ? locales[content.language] : undefined;

  if (step === 'agreed') {
    return (
      <main className="page aup aup-done">
        <h1 tabIndex={-1}>{t('aup.thanks', { name })}</h1>
        <p role="status">{t('aup.thanksText')}</p>
      </main>
    );
  }
  if (step === 'declined') {
    return (
      <main className="page aup aup-done">
        <h1 tabIndex={-1}>{t('aup.declinedTitle')}</h1>
        <p role="status">{t('aup.declinedText')}</p>
      </main>
    );
  }

  return (
    <main className={large ? 'page aup aup-large' : 'page aup'} aria-labelledby="aup-title">
      <div className="aup-top">
        <p className="aup-hello">{t('aup.hello', { name })}</p>
        <div className="language-switch" role="group" aria-label={t('aup.language')}>
          {languages.map((language) => (
            <button
              key={language}
              type="button"
              lang={locales[language]}
              className="language-option"
              aria-pressed={language === currentLanguage()}
              onClick={() => setChosen(language)}
            >
              {languageNames[language]}
            </button>
          ))}
        </div>
      </div>
      <h1 id="aup-title" ref={heading} tabIndex={-1} lang={contentLang}>
        {content.title}
      </h1>
      {/* The policy's audio, made on the server (browsers on Linux have no voices of their own). */}
      <ReadAloudButton
        key={data.textHash}
        state={audioState}
        src={`/api/aup/audio?text=${data.textHash}`}
        className="aup-audio"
      />
      {content.intro && (
        <p className="aup-intro" lang={contentLang}>
          {content.intro}
        </p>
      )}
      <ol className="aup-rules" aria-label={t('aup.rules')} lang={contentLang}>
        {content.rules.map((rule, index) => (
          <li key={index} className="aup-rule">
            {rule.icon && <RuleIcon icon={rule.icon} label={rule.iconLabel} />}
            <span className="aup-rule-text">{rule.text}</span>
          </li>
        ))}
      </ol>
      {content.closing && (
        <p className="aup-closing" lang={contentLang}>
          {content.closing}
        </p>
      )}
      <p className="aup-monitored">
        <strong>{monitoredText(t, data)}</strong>
      </p>
      {error && (
        <div role="alert" className="alert">
          <p>{error}</p>
        </div>
      )}
      {step === 'confirm-decline' ? (
        <section className="aup-confirm" aria-labelledby="aup-confirm-title">
          <h2 id="aup-confirm-title" ref={confirmHeading} tabIndex={-1}>
            {t('aup.sure')}
          </h2>
          <p>{t('aup.sureText')}</p>
          <div className="aup-actions">
            <button type="button" className="button button-agree" onClick={() => setStep('reading')}>
              {t('aup.goBack')}
            </button>
            <button type="button" className="button button-decline" onClick={() => void send('declined')}>
              {t('aup.signMeOut')}
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
            <span aria-hidden="true">✓</span> {t('aup.agree')}
          </button>
          <button
            type="button"
            className="button button-decline"
            disabled={step === 'sending'}
            onClick={() => setStep('confirm-decline')}
          >
            {t('aup.disagree')}
          </button>
        </div>
      )}
    </main>
  );
}
