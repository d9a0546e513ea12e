/**
 * The alert chime, shared by every banner: one AudioContext for the page (Web Audio, no file
 * to load). Browsers may start it suspended until the page is clicked (autoplay rules); then
 * `state` is 'blocked' and the dock offers, once, a button that turns sound on.
 */
export type SoundState = 'unknown' | 'on' | 'blocked' | 'unavailable';

let ctx: AudioContext | null = null;
let state: SoundState = 'unknown';
const listeners = new Set<() => void>();

function set(next: SoundState): void {
  if (next === state) return;
  state = next;
  for (const l of listeners) l();
}

export function soundState(): SoundState {
  return state;
}

export function onSoundState(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function context(): AudioContext | null {
  if (ctx) return ctx;
  try {
    ctx = new AudioContext();
  } catch {
    set('unavailable');
    return null;
  }
  return ctx;
}

/** A gentle two-tone chime. */
function chime(audio: AudioContext): void {
  for (const [i, freq] of [660, 880].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, audio.currentTime + i * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + i * 0.25 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + i * 0.25 + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(audio.currentTime + i * 0.25);
    osc.stop(audio.currentTime + i * 0.25 + 0.25);
  }
}

/** Rings once if the browser lets it; otherwise marks sound as blocked (the banner is there anyway). */
export function ring(): void {
  const audio = context();
  if (!audio) return;
  if (audio.state === 'running') {
    set('on');
    chime(audio);
    return;
  }
  // Not allowed to start without a click: resume() stays pending, so say so now.
  set('blocked');
  void audio.resume().then(
    () => {
      set('on');
      chime(audio);
    },
    () => set('blocked'),
  );
}

/** From a click: the browser now allows sound; plays the chime so the adult hears what it sounds like. */
export async function enableSound(): Promise<void> {
  const audio = context();
  if (!audio) return;
  try {
    await audio.resume();
    set(audio.state === 'running' ? 'on' : 'blocked');
    if (audio.state === 'running') chime(audio);
  } catch {
    set('blocked');
  }
}
