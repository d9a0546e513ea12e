import type { ReactNode } from 'react';
import type { AupIcon } from '@harbour/shared';

/** Simple pictures for the rules, drawn inline (no fonts or files needed). */
const shapes: Record<AupIcon, ReactNode> = {
  ask: (
    <>
      <circle cx="24" cy="32" r="10" fill="#c98a45" />
      <rect x="20" y="4" width="8" height="26" rx="4" fill="#c98a45" />
    </>
  ),
  click: <path d="M14 6 L34 26 L25 27 L30 40 L25 42 L20 29 L14 35 Z" fill="#0b4f6c" />,
  secret: (
    <>
      <circle cx="24" cy="24" r="18" fill="#e8b25f" />
      <rect x="14" y="28" width="20" height="4" rx="2" fill="#7a3b12" />
      <rect x="22" y="16" width="4" height="20" rx="2" fill="#7a3b12" />
    </>
  ),
  kind: (
    <path
      d="M24 40 C6 28 6 12 16 10 C20 9 23 12 24 15 C25 12 28 9 32 10 C42 12 42 28 24 40 Z"
      fill="#c0392b"
    />
  ),
  screen: (
    <>
      <rect x="6" y="8" width="36" height="24" rx="3" fill="#14202b" />
      <rect x="20" y="32" width="8" height="6" fill="#3d4a57" />
      <rect x="14" y="38" width="20" height="3" rx="1.5" fill="#3d4a57" />
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
