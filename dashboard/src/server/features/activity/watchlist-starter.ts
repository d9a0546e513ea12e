import type { WatchEntryInput } from '@harbour/shared';

type Starter = Omit<WatchEntryInput, 'note'> & { note?: string };

/**
 * Harbour's small starter watch list, written for Harbour and meant to be edited.
 * Domains ending in .example are placeholders that show the format; a school replaces
 * them with the sites its own filtering provider or local authority names. Keywords
 * are ordinary phrases a worried adult would want to know a child searched for.
 */
export const starterWatchlist: Starter[] = [
  // Extremism and radicalisation (Prevent duty)
  { kind: 'keyword', pattern: 'extremist recruitment', category: 'extremism', severity: 'high' },
  { kind: 'keyword', pattern: 'join a militia', category: 'extremism', severity: 'high' },
  // Not "race war" alone: "the space race war between America and Russia" is a history lesson.
  { kind: 'keyword', pattern: 'race war now', category: 'extremism', severity: 'high' },
  { kind: 'keyword', pattern: 'start a race war', category: 'extremism', severity: 'high' },
  { kind: 'keyword', pattern: 'racial holy war', category: 'extremism', severity: 'high' },
  { kind: 'keyword', pattern: 'martyrdom video', category: 'extremism', severity: 'high' },
  {
    kind: 'domain',
    pattern: 'extremist-forum.example',
    category: 'extremism',
    severity: 'high',
    note: 'Placeholder: replace with real sites',
  },
  // Self-harm
  { kind: 'keyword', pattern: 'self harm', category: 'self_harm', severity: 'high' },
  { kind: 'keyword', pattern: 'how to hurt myself', category: 'self_harm', severity: 'high' },
  { kind: 'keyword', pattern: 'suicide', category: 'self_harm', severity: 'high' },
  { kind: 'keyword', pattern: 'i want to die', category: 'self_harm', severity: 'high' },
  { kind: 'keyword', pattern: 'pro ana', category: 'self_harm', severity: 'high' },
  // Adult content
  { kind: 'keyword', pattern: 'porn', category: 'adult', severity: 'high' },
  // Not the keyword "xxx": children sign letters and cards with kisses. The .xxx domain instead.
  { kind: 'domain', pattern: 'xxx', category: 'adult', severity: 'medium' },
  { kind: 'keyword', pattern: 'xxx videos', category: 'adult', severity: 'high' },
  { kind: 'keyword', pattern: 'nude pictures', category: 'adult', severity: 'high' },
  {
    kind: 'domain',
    pattern: 'adult-videos.example',
    category: 'adult',
    severity: 'high',
    note: 'Placeholder: replace with real sites',
  },
  // Violence and weapons
  { kind: 'keyword', pattern: 'how to make a bomb', category: 'violence', severity: 'high' },
  { kind: 'keyword', pattern: 'buy a knife', category: 'violence', severity: 'medium' },
  // Not "gore" alone: Al Gore, Gore-Tex coats.
  { kind: 'keyword', pattern: 'gore videos', category: 'violence', severity: 'medium' },
  { kind: 'keyword', pattern: 'gore pictures', category: 'violence', severity: 'medium' },
  { kind: 'keyword', pattern: 'real gore', category: 'violence', severity: 'medium' },
  { kind: 'keyword', pattern: 'fight videos', category: 'violence', severity: 'medium' },
  // Gambling
  { kind: 'keyword', pattern: 'online casino', category: 'gambling', severity: 'medium' },
  { kind: 'keyword', pattern: 'betting odds', category: 'gambling', severity: 'low' },
  { kind: 'domain', pattern: 'bet365.com', category: 'gambling', severity: 'medium' },
  { kind: 'domain', pattern: 'pokerstars.com', category: 'gambling', severity: 'medium' },
  // Social networking (not allowed for pupils in school)
  { kind: 'domain', pattern: 'facebook.com', category: 'social', severity: 'low' },
  { kind: 'domain', pattern: 'instagram.com', category: 'social', severity: 'low' },
  { kind: 'domain', pattern: 'tiktok.com', category: 'social', severity: 'low' },
  { kind: 'domain', pattern: 'snapchat.com', category: 'social', severity: 'low' },
  { kind: 'domain', pattern: 'discord.com', category: 'social', severity: 'low' },
  { kind: 'domain', pattern: 'x.com', category: 'social', severity: 'low' },
  { kind: 'url', pattern: 'web.whatsapp.com/*', category: 'social', severity: 'low' },
  // Online games (not allowed for pupils in school)
  { kind: 'domain', pattern: 'roblox.com', category: 'games', severity: 'low' },
  { kind: 'domain', pattern: 'fortnite.com', category: 'games', severity: 'low' },
  { kind: 'domain', pattern: 'poki.com', category: 'games', severity: 'low' },
  { kind: 'domain', pattern: 'crazygames.com', category: 'games', severity: 'low' },
];
