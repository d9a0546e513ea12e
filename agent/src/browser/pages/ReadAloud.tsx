import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ui } from '../api';
import { SpeakerIcon } from './icons';

export type ClipState = 'pending' | 'ready' | 'unavailable';

/**
 * The state of a read-aloud clip the agent fetches from the server (src/core/read-aloud.ts),
 * asked again every two seconds while it is being made. A new clip starts from "pending".
 */
export function useClip(clip: string | null): { state: ClipState; src: string | null } {
  const [known, setKnown] = useState<{ clip: string; state: ClipState } | null>(null);
  const state: ClipState = !clip ? 'unavailable' : known?.clip === clip ? known.state : 'pending';
  useEffect(() => {
    if (!clip) return;
    let live = true;
    let timer: number | undefined;
    const ask = () =>
      ui.get<{ state: ClipState }>(`/api/audio/state?clip=${encodeURIComponent(clip)}`).then(
        (answer) => {
          if (!live) return;
          setKnown({ clip, state: answer.state });
          if (answer.state === 'pending') timer = window.setTimeout(() => void ask(), 2000);
        },
        () => live && setKnown({ clip, state: 'unavailable' }),
      );
    void ask();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [clip]);
  return { state, src: clip && state === 'ready' ? `/api/audio?clip=${encodeURIComponent(clip)}` : null };
}

/**
 * The speaker button of every pupil screen: plays the screen's words (made on the server:
 * browsers on Linux have no voices of their own) and stops them. Where there is no audio it
 * says so in words, and stays in the Tab order (aria-disabled, not disabled) so a pupil who
 * reaches it hears why. Enter and Space only ever play or stop; nothing else happens here.
 * Give it a `key` of the clip so a new text never plays an old one's audio.
 */
export function ReadAloudButton(props: { state: ClipState; src: string | null; className?: string }) {
  const { t } = useTranslation();
  const player = useRef<HTMLAudioElement>(null);
  const [speaking, setSpeaking] = useState(false);
  const [failed, setFailed] = useState(false);
  const canSpeak = props.state === 'ready' && props.src !== null && !failed;

  useEffect(() => {
    // Leaving the screen (or a new text) stops the voice.
    const audio = player.current;
    return () => audio?.pause();
  }, [props.src]);

  function toggle() {
    const audio = player.current;
    if (!audio || !canSpeak) return;
    if (speaking) {
      audio.pause();
      audio.currentTime = 0;
      setSpeaking(false);
      return;
    }
    setSpeaking(true);
    audio.play().catch(() => {
      setSpeaking(false);
      setFailed(true);
    });
  }

  const label = canSpeak
    ? speaking
      ? t('readAloud.stop')
      : t('readAloud.read')
    : props.state === 'pending' && !failed
      ? t('readAloud.pending')
      : t('readAloud.unavailable');
  return (
    <div className="read-aloud">
      <button
        type="button"
        className={canSpeak ? 'button read-aloud-button' : 'button read-aloud-button read-aloud-off'}
        onClick={toggle}
        aria-disabled={canSpeak ? undefined : true}
      >
        <SpeakerIcon off={!canSpeak} />
        <span className="read-aloud-label">{label}</span>
      </button>
      {props.src && props.state === 'ready' && (
        <audio
          ref={player}
          className={props.className ?? 'read-aloud-audio'}
          src={props.src}
          preload="auto"
          onEnded={() => setSpeaking(false)}
          onPause={() => setSpeaking(false)}
          onPlaying={() => setSpeaking(true)}
          onError={() => {
            setSpeaking(false);
            setFailed(true);
          }}
        />
      )}
    </div>
  );
}
