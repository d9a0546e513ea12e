import type { ReactNode } from 'react';
import type { AupIcon } from '@harbour/shared';

/** Simple pictures for the rules, drawn inline (no fonts or files needed). */
const shapes: Record<AupIcon, ReactNode> = {
  // A child putting a hand up: how a five-year-old asks a grown-up in class.
  ask: (
    <>
      <path d="M5 47 Q6 36 19 36 Q31 36 32 47 Z" fill="#2a7ab0" stroke="#14202b" strokeWidth="2" />
      <path d="M27 39 L34 19" stroke="#14202b" strokeWidth="7" strokeLinecap="round" />
      <path d="M27 39 L34 19" stroke="#f2c9a0" strokeWidth="4" strokeLinecap="round" />
      <g fill="#f2c9a0" stroke="#14202b" strokeWidth="1.5">
        <rect x="29.5" y="4" width="3.4" height="10" rx="1.7" />
        <rect x="33" y="2.5" width="3.4" height="11" rx="1.7" />
        <rect x="36.5" y="3.5" width="3.4" height="10" rx="1.7" />
        <rect x="40" y="6" width="3.2" height="8.5" rx="1.6" transform="rotate(12 41.6 10)" />
        <rect x="26" y="11" width="3.2" height="8" rx="1.6" transform="rotate(-40 27.6 15)" />
        <rect x="29.5" y="10" width="13" height="11" rx="4.5" />
      </g>
      <circle cx="19" cy="26" r="9.5" fill="#f2c9a0" stroke="#14202b" strokeWidth="2" />
      <path d="M9.6 24 Q11 15 19 15.5 Q27 15 28.4 24 Q24 19 19 19 Q13 19 9.6 24 Z" fill="#6b3e1f" />
      <circle cx="15.8" cy="26" r="1.4" fill="#14202b" />
      <circle cx="22.2" cy="26" r="1.4" fill="#14202b" />
      <path
        d="M15.5 30 Q19 33 22.5 30"
        stroke="#14202b"
        strokeWidth="1.6"
        fill="none"
        strokeLinecap="round"
      />
    </>
  ),
  // A mouse pointer clicking: the thing a child presses.
  click: (
    <>
      <path
        d="M16 10 L36 30 L27 31 L32 42 L27 44.5 L22 33 L16 39 Z"
        fill="#0b4f6c"
        stroke="#14202b"
        strokeWidth="2"
        strokeLinejoin="round"
      />
      <path d="M12 6 L9 3 M16 5 V1 M8 10 H4" stroke="#b7791f" strokeWidth="2.5" strokeLinecap="round" />
    </>
  ),
  // "Shh": a finger over the lips, so a child reads "keep it secret".
  secret: (
    <>
      <circle cx="24" cy="21" r="17" fill="#ffd166" stroke="#14202b" strokeWidth="2" />
      <path d="M15 16 Q18 13.5 21 16" stroke="#14202b" strokeWidth="1.8" fill="none" strokeLinecap="round" />
      <path d="M27 16 Q30 13.5 33 16" stroke="#14202b" strokeWidth="1.8" fill="none" strokeLinecap="round" />
      <circle cx="18" cy="20" r="1.8" fill="#14202b" />
      <circle cx="30" cy="20" r="1.8" fill="#14202b" />
      <ellipse cx="24" cy="30" rx="5.5" ry="3" fill="#c0392b" stroke="#14202b" strokeWidth="1.5" />
      <rect
        x="21.3"
        y="22"
        width="5.4"
        height="18"
        rx="2.7"
        fill="#f2c9a0"
        stroke="#14202b"
        strokeWidth="1.6"
      />
      <rect x="22.6" y="23.2" width="2.8" height="3" rx="1" fill="#fbe3cb" />
      <rect x="16" y="36" width="16" height="11" rx="5" fill="#f2c9a0" stroke="#14202b" strokeWidth="1.6" />
    </>
  ),
  kind: (
    <path
      d="M24 40 C6 28 6 12 16 10 C20 9 23 12 24 15 C25 12 28 9 32 10 C42 12 42 28 24 40 Z"
      fill="#c0392b"
    />
  ),
  // A computer screen, dark, with the "off" sign on it: turn the screen off.
  screen: (
    <>
      <rect x="5" y="7" width="38" height="26" rx="3" fill="#14202b" stroke="#3d4a57" strokeWidth="2" />
      <path d="M24 13 V20" stroke="#ffffff" strokeWidth="2.8" strokeLinecap="round" />
      <path
        d="M19.3 15.6 A7 7 0 1 0 28.7 15.6"
        stroke="#ffffff"
        strokeWidth="2.8"
        fill="none"
        strokeLinecap="round"
      />
      <rect x="20" y="33" width="8" height="6" fill="#3d4a57" />
      <rect x="13" y="39" width="22" height="4" rx="2" fill="#3d4a57" />
    </>
  ),
  eyes: (
    <>
      <ellipse cx="15" cy="24" rx="10" ry="8" fill="#ffffff" stroke="#14202b" strokeWidth="2" />
      <ellipse cx="33" cy="24" rx="10" ry="8" fill="#ffffff" stroke="#14202b" strokeWidth="2" />
      <circle cx="16" cy="24" r="4" fill="#14202b" />
      <circle cx="34" cy="24" r="4" fill="#14202b" />
    </>
  ),
  time: (
    <>
      <circle cx="24" cy="24" r="18" fill="#ffffff" stroke="#14202b" strokeWidth="3" />
      <path d="M24 12 V24 H33" stroke="#14202b" strokeWidth="3" fill="none" />
    </>
  ),
  email: (
    <>
      <rect x="6" y="12" width="36" height="24" rx="2" fill="#ffffff" stroke="#0b4f6c" strokeWidth="3" />
      <path d="M6 12 L24 27 L42 12" stroke="#0b4f6c" strokeWidth="3" fill="none" />
    </>
  ),
  camera: (
    <>
      <rect x="6" y="14" width="36" height="24" rx="4" fill="#3d4a57" />
      <rect x="16" y="9" width="14" height="7" rx="2" fill="#3d4a57" />
      <circle cx="24" cy="26" r="8" fill="#ffffff" />
    </>
  ),
  download: (
    <>
      <path d="M24 6 V30 M14 20 L24 30 L34 20" stroke="#1d6b34" strokeWidth="5" fill="none" />
      <rect x="8" y="36" width="32" height="5" rx="2" fill="#1d6b34" />
    </>
  ),
  lock: (
    <>
      <path d="M15 22 V15 A9 9 0 0 1 33 15 V22" stroke="#3d4a57" strokeWidth="4" fill="none" />
      <rect x="10" y="22" width="28" height="20" rx="3" fill="#b7791f" />
    </>
  ),
  star: <path d="M24 4 L30 18 L45 18 L33 27 L37 42 L24 33 L11 42 L15 27 L3 18 L18 18 Z" fill="#b7791f" />,
};

/** A rule's picture: named for screen readers when it has a label, hidden from them when not. */
export function RuleIcon({ icon, label }: { icon: AupIcon; label: string | undefined }) {
  return (
    <svg
      className="rule-icon"
      viewBox="0 0 48 48"
      width="72"
      height="72"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      focusable="false"
    >
      {shapes[icon]}
    </svg>
  );
}

/** A loudspeaker (with sound waves, or crossed out when there is no sound), beside the read-aloud label. */
export function SpeakerIcon({ off }: { off: boolean }) {
  return (
    <svg
      className="speaker-icon"
      viewBox="0 0 48 48"
      width="40"
      height="40"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M6 18h9l12-10v32L15 30H6z" fill="currentColor" />
      {off ? (
        <path d="M33 17l12 14M45 17L33 31" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
      ) : (
        <path
          d="M33 17c3 4 3 10 0 14M38 12c6 7 6 17 0 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="4"
          strokeLinecap="round"
        />
      )}
    </svg>
  );
}
