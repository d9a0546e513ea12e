/**
 * URL parsing for shared code. `URL` and `URLSearchParams` exist in every runtime
 * shared/ runs in (Node and browsers), but shared/ compiles without DOM or Node types,
 * so this file describes the small part it uses.
 */
export interface ParsedUrl {
  readonly protocol: string;
  readonly hostname: string;
  readonly search: string;
  readonly hash: string;
}
interface UrlGlobals {
  URL: { new (url: string): ParsedUrl; canParse(url: string): boolean };
  URLSearchParams: new (init: string) => { get(name: string): string | null };
}
const globals = globalThis as unknown as UrlGlobals;

/** The parsed URL, or null when `text` is not an absolute URL. */
export function parseUrl(text: string): ParsedUrl | null {
  return globals.URL.canParse(text) ? new globals.URL(text) : null;
}

/** One parameter of a query string or fragment ("?a=1&b=2" or "a=1"). */
export function queryParam(query: string, name: string): string | null {
  return new globals.URLSearchParams(query.replace(/^[?#]/, '')).get(name);
}
