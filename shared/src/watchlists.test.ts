import { describe, expect, it } from 'vitest';
import {
  compileWatchlist,
  normalisePattern,
  searchTermsFromUrl,
  watchEntryInputSchema,
  type AgentWatchEntry,
} from './watchlists.js';

const entry = (
  kind: AgentWatchEntry['kind'],
  pattern: string,
  severity: AgentWatchEntry['severity'] = 'medium',
) => ({
  id: '00000000-0000-4000-8000-' + String(Math.floor(Math.random() * 1e12)).padStart(12, '0'),
  kind,
  pattern: normalisePattern(kind, pattern),
  category: 'violence' as const,
  severity,
});

describe('search terms', () => {
  it.each([
    ['https://www.google.co.uk/search?q=how+to+make+slime&hl=en', 'how to make slime'],
    ['https://www.bing.com/search?q=volcano%20facts', 'volcano facts'],
    ['https://duckduckgo.com/?q=tudor+houses&ia=web', 'tudor houses'],
    ['https://uk.search.yahoo.com/search?p=river+nile', 'river nile'],
    ['https://www.youtube.com/results?search_query=times+tables+song', 'times tables song'],
    ['https://www.ecosia.org/search?method=index&q=rainforest', 'rainforest'],
    ['https://www.kiddle.co/s.php?q=romans', 'romans'],
    ['https://www.google.com/webhp#q=dinosaurs', 'dinosaurs'],
  ])('reads the terms of %s', (url, term) => {
    expect(searchTermsFromUrl(url)).toEqual([term]);
  });

  it('finds none on other sites or in nonsense', () => {
    expect(searchTermsFromUrl('https://example.org/?q=anything')).toEqual([]);
    expect(searchTermsFromUrl('not a url')).toEqual([]);
    expect(searchTermsFromUrl(null)).toEqual([]);
  });
});

describe('matching', () => {
  it('matches a domain and its subdomains, not look-alikes', () => {
    const match = compileWatchlist([entry('domain', 'Gambling.Example')]);
    expect(match({ url: null, domain: 'gambling.example', title: null })?.where).toBe('domain');
    expect(match({ url: null, domain: 'www.gambling.example', title: null })).not.toBeNull();
    expect(match({ url: null, domain: 'casino.gambling.example', title: null })).not.toBeNull();
    expect(match({ url: null, domain: 'notgambling.example', title: null })).toBeNull();
  });

  it('matches URL patterns with wildcards, ignoring the scheme and www.', () => {
    const match = compileWatchlist([entry('url', 'https://forum.example.org/*/weapons')]);
    expect(
      match({ url: 'http://www.forum.example.org/board/weapons?page=2', domain: null, title: null }),
    ).not.toBeNull();
    expect(match({ url: 'https://forum.example.org/board/cakes', domain: null, title: null })).toBeNull();
  });

  it('matches keywords as whole words in titles and search terms, whatever the case or accents', () => {
    const match = compileWatchlist([entry('keyword', 'Knife Fight')]);
    expect(match({ url: null, domain: null, title: 'Best KNIFE-fight videos' })?.where).toBe('title');
    const search = match({
      url: 'https://www.google.com/search?q=kn%C3%AFfe+fight',
      domain: 'google.com',
      title: 'Google',
    });
    expect(search).toMatchObject({ where: 'search', matched: 'knïfe fight' });
    expect(match({ url: null, domain: null, title: 'Penknife fighting fish' })).toBeNull();
  });

  it('prefers the most severe match', () => {
    const low = entry('domain', 'video.example', 'low');
    const high = entry('keyword', 'self harm', 'high');
    const match = compileWatchlist([low, high]);
    expect(
      match({ url: 'https://video.example/watch', domain: 'video.example', title: 'self-harm story' })?.entry
        .id,
    ).toBe(high.id);
  });
});

describe('entries as staff type them', () => {
  it('normalises patterns', () => {
    const parsed = watchEntryInputSchema.parse({
      kind: 'domain',
      pattern: ' https://WWW.Example.org/path ',
      category: 'games',
      severity: 'low',
    });
    expect(parsed).toMatchObject({ pattern: 'example.org', note: null });
  });

  it.each([
    ['domain', 'not a domain'],
    ['url', 'a b'],
    ['url', '***'],
    ['keyword', '!'],
  ] as const)('refuses the %s pattern %j', (kind, pattern) => {
    expect(
      watchEntryInputSchema.safeParse({ kind, pattern, category: 'games', severity: 'low' }).success,
    ).toBe(false);
  });

  it('refuses unknown categories and fields', () => {
    expect(
      watchEntryInputSchema.safeParse({ kind: 'domain', pattern: 'a.org', category: 'nope', severity: 'low' })
        .success,
    ).toBe(false);
    expect(
      watchEntryInputSchema.safeParse({
        kind: 'domain',
        pattern: 'a.org',
        category: 'games',
        severity: 'low',
        x: 1,
      }).success,
    ).toBe(false);
  });
});
