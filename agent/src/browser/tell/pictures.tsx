/** Simple drawn pictures (no emoji font needed): big, friendly, high contrast. */
import type { ReactNode } from 'react';

const face = (mouth: ReactNode, eyes: ReactNode, fill: string) => (
  <svg viewBox="0 0 64 64" width="72" height="72" aria-hidden="true">
    <circle cx="32" cy="32" r="28" fill={fill} stroke="#14202b" strokeWidth="3" />
    {eyes}
    {mouth}
  </svg>
);

export const pictures = {
  scary_or_rude: face(
    <ellipse cx="32" cy="46" rx="8" ry="6" fill="#14202b" />,
    <>
      <circle cx="22" cy="26" r="5" fill="#fff" stroke="#14202b" strokeWidth="2" />
      <circle cx="42" cy="26" r="5" fill="#fff" stroke="#14202b" strokeWidth="2" />
      <circle cx="22" cy="26" r="2" fill="#14202b" />
      <circle cx="42" cy="26" r="2" fill="#14202b" />
    </>,
    '#ffd166',
  ),
  unkind: face(
    <path d="M20 48 Q32 36 44 48" fill="none" stroke="#14202b" strokeWidth="3" strokeLinecap="round" />,
    <>
      <circle cx="22" cy="26" r="3" fill="#14202b" />
      <circle cx="42" cy="26" r="3" fill="#14202b" />
      <path d="M42 30 q-4 7 0 10 q4 -3 0 -10" fill="#4aa3df" stroke="#14202b" strokeWidth="1" />
    </>,
    '#ffd166',
  ),
  stranger: (
    <svg viewBox="0 0 64 64" width="72" height="72" aria-hidden="true">
      <circle cx="26" cy="22" r="11" fill="#9fb0c0" stroke="#14202b" strokeWidth="3" />
      <path d="M6 58 q20 -26 40 0 z" fill="#9fb0c0" stroke="#14202b" strokeWidth="3" />
      <text x="48" y="30" fontSize="26" fontWeight="700" fill="#0b4f6c">
        ?
      </text>
    </svg>
  ),
  something_else: (
    <svg viewBox="0 0 64 64" width="72" height="72" aria-hidden="true">
      <path
        d="M8 12 h48 v30 h-28 l-12 12 v-12 h-8 z"
        fill="#d7efe0"
        stroke="#14202b"
        strokeWidth="3"
        strokeLinejoin="round"
      />
      <circle cx="22" cy="27" r="3" fill="#14202b" />
      <circle cx="32" cy="27" r="3" fill="#14202b" />
      <circle cx="42" cy="27" r="3" fill="#14202b" />
    </svg>
  ),
  heart: (
    <svg viewBox="0 0 64 56" width="96" height="84" aria-hidden="true">
      <path
        d="M32 52 C10 36 4 26 4 17 C4 9 10 4 18 4 C24 4 29 8 32 13 C35 8 40 4 46 4 C54 4 60 9 60 17 C60 26 54 36 32 52 Z"
        fill="#f4a261"
        stroke="#14202b"
        strokeWidth="3"
      />
    </svg>
  ),
  lifebuoy: (
    <svg viewBox="0 0 64 64" width="48" height="48" aria-hidden="true">
      <circle cx="32" cy="32" r="26" fill="#fff" stroke="#14202b" strokeWidth="3" />
      <circle cx="32" cy="32" r="11" fill="#ffb703" stroke="#14202b" strokeWidth="3" />
      <path d="M14 14 L24 24 M50 14 L40 24 M14 50 L24 40 M50 50 L40 40" stroke="#d62828" strokeWidth="9" />
    </svg>
  ),
};
