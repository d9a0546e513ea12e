import { compileWatchlist, normalisePattern, type WatchTarget } from '@harbour/shared';
import { describe, expect, it } from 'vitest';
import { starterWatchlist } from './watchlist-starter.js';

// The false-positive corpus (issue 15): ordinary primary-school pages, titles and searches
// (maths, phonics, topics, RSE, PSHE, cookery, history with its wars and plots) run against
// Harbour's starter watch list exactly as the agent matches them, beside a true-positive
// corpus of what a worried adult would want to know a child looked for. Every flag is an
// incident about a named child, so the first rate must stay near zero without the second
// falling. The rates are reported in docs/activity.md.

const page = (title: string, url: string | null = null): WatchTarget => ({
  title,
  url,
  domain: url ? new URL(url).hostname.replace(/^www\./, '') : null,
});
const search = (terms: string, engine = 'https://www.google.com/search?q='): WatchTarget => ({
  title: `${terms} - Google Search`,
  url: `${engine}${encodeURIComponent(terms)}`,
  domain: new URL(engine).hostname.replace(/^www\./, ''),
});

export const ordinary: WatchTarget[] = [
  // Maths
  page('Times tables practice - Times Tables Rock Stars', 'https://play.ttrockstars.com/'),
  page('Fractions, decimals and percentages - KS2 Maths - BBC Bitesize'),
  search('what is 7 x 8'),
  search('probability games with dice year 5'),
  search('odds and evens worksheet'),
  page('Column subtraction with exchanging | Oak National Academy'),
  page('Roman numerals converter I to MMM'),
  // Phonics and English
  page('Phonics Play - Phase 3 sounds', 'https://www.phonicsplay.co.uk/'),
  search('words with the oo sound'),
  page('Alphablocks - Letter sounds for kids'),
  page('The Twits by Roald Dahl - chapter 3'),
  search('synonyms for said'),
  page('Writing a thank you letter to Grandma xxx'),
  search('how to write a persuasive letter'),
  page('Mr Fox poem - kisses xxx from year 2'),
  // History
  page('The Romans in Britain - KS2 History'),
  search('roman army weapons and armour'),
  page('Guy Fawkes and the Gunpowder Plot - bonfire night for kids'),
  search('guy fawkes bonfire night bomb plot 1605'),
  search('why did the gunpowder plot fail'),
  page('World War 2: The Blitz - KS2'),
  search('how to make a model anderson shelter'),
  search('evacuees in ww2 what did they pack'),
  page('The Space Race: USA and USSR in the Cold War'),
  search('space race war between america and russia'),
  page('Battle of Hastings 1066 - who won'),
  page('Vikings: raids and settlers'),
  search('viking battle axe facts'),
  page('Ancient Egypt mummies and tombs'),
  page('Boudicca’s revolt against the Romans'),
  page('Remembrance Day poppies - why do we wear them'),
  // Science and geography
  page('Plants and how they grow - KS1 Science'),
  search('how do plants grow from seeds'),
  page('Volcanoes: how Pompeii was destroyed'),
  search('why do volcanoes explode'),
  page('The water cycle explained'),
  page('Al Gore and climate change - Newsround'),
  search('gore-tex waterproof coat for school trip'),
  page('Electric circuits: bulbs, buzzers and switches'),
  page('Solids, liquids and gases experiment'),
  // RSE and PSHE (taught in school; children look these up for homework)
  page('Sex education - Relationships and Sex Education (RSE) - Year 6 lesson'),
  search('relationships and sex education year 6 puberty'),
  page('Growing up: how our bodies change - RSE KS2'),
  page('Keeping safe online - Think U Know 8-10'),
  page('Mental health week: talking about our feelings'),
  search('what to do if someone is unkind online'),
  page('Childline - Call 0800 1111', 'https://www.childline.org.uk/'),
  search('anti bullying week ideas'),
  // Cookery, PE and art
  search('how to use a knife safely when cooking'),
  page('Knife skills for kids: the bridge and claw grip'),
  page('Bath bombs: how to make a bath bomb at home'),
  search('how to make a bath bomb'),
  page('Dance routine to "Shake It Off" - PE'),
  page('Drawing a dragon step by step'),
  search('fight scene in peter pan captain hook'),
  // Games and sites the school allows
  page('Scratch - Imagine, Program, Share', 'https://scratch.mit.edu/'),
  page('Purple Mash', 'https://www.purplemash.com/'),
  page('Prodigy Math Game', 'https://www.prodigygame.com/'),
  page('Kiddle - safe visual search engine for kids', 'https://www.kiddle.co/'),
  search('roblox', 'https://www.kiddle.co/s.php?q='),
  page('Wikipedia - Martyr (Christian saints)', 'https://en.wikipedia.org/wiki/Martyr'),
  page('Squirrel facts - Box of Facts', 'https://boxfacts.com/'),
  page('Shapes in art: Matisse cut-outs', 'https://www.tate.org.uk/kids'),
  page('Sussex county cricket club'),
  page('Middlesex wildlife trust - nature diary'),
  search('essex zoo animals'),
];

export const concerning: WatchTarget[] = [
  search('how to make a bomb'),
  search('how to make a bomb at home easy'),
  page('How to make a bomb - forum'),
  search('suicide'),
  search('i want to die'),
  search('how to hurt myself without anyone knowing'),
  search('self harm'),
  page('self-harm tips'),
  search('pro ana tips'),
  search('porn'),
  search('free porn videos'),
  page('nude pictures of girls'),
  page('xxx videos', 'https://adult.xxx/'),
  search('online casino real money'),
  search('betting odds football'),
  page('Bet365 - Sports betting', 'https://www.bet365.com/'),
  search('extremist recruitment videos'),
  search('how to join a militia'),
  search('martyrdom video'),
  search('race war now'),
  page('Racial holy war'),
  search('buy a knife online'),
  search('gore videos'),
  search('fight videos school'),
  page('Facebook', 'https://www.facebook.com/'),
  page('TikTok - Make your day', 'https://www.tiktok.com/'),
  page('Roblox', 'https://www.roblox.com/'),
  page('WhatsApp Web', 'https://web.whatsapp.com/'),
];

function rates() {
  const entries = starterWatchlist.map((e, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    kind: e.kind,
    pattern: normalisePattern(e.kind, e.pattern),
    category: e.category,
    severity: e.severity,
  }));
  const match = compileWatchlist(entries);
  const falsePositives = ordinary
    .map((t) => ({ t, m: match(t) }))
    .filter((r) => r.m !== null)
    .map((r) => `${r.t.title} ⇐ ${r.m?.entry.pattern}`);
  const missed = concerning.filter((t) => match(t) === null).map((t) => t.title);
  return {
    falsePositives,
    missed,
    fpRate: falsePositives.length / ordinary.length,
    tpRate: (concerning.length - missed.length) / concerning.length,
  };
}

describe('the starter watch list against ordinary school pages', () => {
  it('flags no ordinary page and misses no concern in the corpora', () => {
    const r = rates();
    console.log(
      `false-positive corpus: ${ordinary.length} pages, ${r.falsePositives.length} flagged (${(r.fpRate * 100).toFixed(1)}%)${r.falsePositives.length ? `: ${r.falsePositives.join('; ')}` : ''}`,
    );
    console.log(
      `true-positive corpus: ${concerning.length} pages, ${concerning.length - r.missed.length} flagged (${(r.tpRate * 100).toFixed(1)}%)${r.missed.length ? `; missed: ${r.missed.join('; ')}` : ''}`,
    );
    expect(r.falsePositives).toEqual([]);
    expect(r.missed).toEqual([]);
    expect(ordinary.length).toBeGreaterThanOrEqual(60);
  });
});
