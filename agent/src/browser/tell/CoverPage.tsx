/**
 * The cover a pupil sees after pressing "help": calm, big, readable by a five-year-old.
 * Nothing here is required; the report has already gone to the teacher.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TellChoice } from '@harbour/shared';
import { ui } from '../api';
import { currentLanguage } from '../i18n';
import { ReadAloudButton, useClip } from '../pages/ReadAloud';
import { pictures } from './pictures';

interface TellState {
  status: 'none' | 'covered' | 'acknowledged';
  by: string | null;
  told: boolean;
  pupilsMayRelease: boolean;
  online: boolean;
}

// The same four choices as shared/src/tell.ts (pupil pages take only types from shared/).
const choices: TellChoice[] = ['scary_or_rude', 'unkind', 'stranger', 'something_else'];

export function CoverPage() {
  const { t } = useTranslation();
  const [state, setState] = useState<TellState | null>(null);
  const [choice, setChoice] = useState<TellChoice | null>(null);
  const [words, setWords] = useState('');
  const [sent, setSent] = useState(false);
  const [sendFailed, setSendFailed] = useState(false);
  const [adult, setAdult] = useState(false);
  const [pin, setPin] = useState('');
  // What the grown-up reads after a try: calm words, never an error in red for the child to see.
  const [adultNote, setAdultNote] = useState<string | null>(null);
  const pinInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let stop = false;
    const poll = () =>
      ui.get<TellState>('/api/tell/state').then(
        (s) => {
          if (!stop) setState(s);
        },
        () => undefined,
      );
    // A prepared cover waits hidden until a pupil presses "help": it asks nothing while
    // hidden, and asks at once when it is shown.
    const onVisible = () => {
      if (!document.hidden) void poll();
    };
    onVisible();
    const timer = window.setInterval(onVisible, 700);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stop = true;
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  useEffect(() => {
    if (adult) pinInput.current?.focus();
  }, [adult]);

  async function send(nextChoice: TellChoice | null, text: string) {
    setSendFailed(false);
    try {
      await ui.post('/api/tell/details', { choice: nextChoice, words: text.trim() === '' ? null : text });
      setSent(true);
    } catch {
      setSendFailed(true);
    }
  }

  async function release(event?: FormEvent) {
    event?.preventDefault();
    setAdultNote(null);
    try {
      const r = await ui.post<{ released: boolean; message: string }>(
        '/api/tell/release',
        pin ? { pin } : {},
      );
      if (!r.released) setAdultNote(adult ? t('cover.adult.notReleased') : t('cover.stay'));
      setPin('');
    } catch {
      setAdultNote(t('cover.adult.notReleased'));
    }
  }

  const onTheWay = state?.status === 'acknowledged';
  // The cover's own words, made once per language on the server (shared/src/speech.ts).
  const clip = `screen:${onTheWay ? 'coverOnTheWay' : 'cover'}:${currentLanguage()}`;
  const audio = useClip(clip);
  useEffect(() => {
    // Screen readers announce the title; the Linux shell and the tests can read it too.
    document.title = onTheWay ? t('cover.titleOnTheWay') : t('cover.titleComing');
  }, [onTheWay, t]);
  const canSend = choice !== null || words.trim() !== '';
  return (
    <main className="page cover" data-status={state?.status ?? 'covered'}>
      {/* The speaker button sits beside the heart: no taller page (Send stays on a 1024 x 600 screen). */}
      <div className="cover-hero">
        {pictures.heart}
        <ReadAloudButton key={clip} state={audio.state} src={audio.src} />
      </div>
      <h1 className="cover-title">{t('cover.rightThing')}</h1>
      <p className="cover-message" role="status">
        {onTheWay ? t('cover.onTheWay') : t('cover.coming')}
      </p>

      <div className="cover-body">
        {!sent ? (
          <section aria-labelledby="what-heading" className="cover-choices">
            <h2 id="what-heading">{t('cover.tellUs')}</h2>
            <div className="choice-grid">
              {choices.map((c) => (
                <button
                  key={c}
                  type="button"
                  className={`choice ${choice === c ? 'choice-picked' : ''}`}
                  aria-pressed={choice === c}
                  onClick={() => setChoice(c)}
                >
                  <span className="choice-picture" aria-hidden="true">
                    {pictures[c]}
                  </span>
                  {t(`cover.choice.${c}`)}
                </button>
              ))}
            </div>
            <div className="cover-send">
              <label htmlFor="words" className="words-label">
                {t('cover.words')}
              </label>
              <textarea
                id="words"
                rows={2}
                maxLength={280}
                value={words}
                onChange={(e) => setWords(e.target.value)}
              />
              <button
                type="button"
                className="button button-agree"
                disabled={!canSend}
                aria-describedby={canSend ? undefined : 'send-hint'}
                onClick={() => void send(choice, words)}
              >
                {t('cover.send')}
              </button>
              <p id="send-hint" className="send-hint">
                {canSend ? '\u00a0' : t('cover.sendHint')}
              </p>
              {sendFailed && <p className="cover-note">{t('cover.sendFailed')}</p>}
            </div>
          </section>
        ) : (
          <p className="cover-thanks">{t('cover.thanks')}</p>
        )}
      </div>

      <section className="cover-adult" aria-label={t('cover.adult.label')}>
        {state?.pupilsMayRelease && (
          <button type="button" className="button button-quiet" onClick={() => void release()}>
            {t('cover.okNow')}
          </button>
        )}
        {!adult ? (
          <button type="button" className="button button-quiet" onClick={() => setAdult(true)}>
            {t('cover.adult.open')}
          </button>
        ) : (
          <form onSubmit={(e) => void release(e)} className="pin-form">
            <label htmlFor="pin">{t('cover.adult.pin')}</label>
            <input
              id="pin"
              ref={pinInput}
              type="password"
              inputMode="numeric"
              autoComplete="off"
              value={pin}
              onChange={(e) => setPin(e.target.value)}
            />
            <button type="submit" className="button button-quiet">
              {t('cover.adult.uncover')}
            </button>
          </form>
        )}
        <p className="cover-note" aria-live="polite">
          {adultNote ?? '\u00a0'}
        </p>
      </section>
    </main>
  );
}
