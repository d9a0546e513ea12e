/**
 * Which origin is this server's own, and whether a request came over HTTPS: the one place
 * the REST plumbing (cross-site request checks, Secure cookies, HSTS) and the socket
 * handshake ask. Nothing here throws on what a client sends: an Origin that is `null`,
 * not a URL or absurdly long is simply not ours.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyAddr from '@fastify/proxy-addr';

/** Who may tell us, through X-Forwarded-*, how the browser reached us: nobody, everybody, or these addresses. */
export type TrustProxy = boolean | string[];

export interface OriginSettings {
  /** The address staff type, e.g. https://harbour.school.example; when set, the only origin that is ours. */
  publicUrl?: string | undefined;
  trustProxy: TrustProxy;
}

export interface OriginGuard {
  /** Whether the browser reached this server over HTTPS (directly, or through a trusted proxy). */
  isHttps(req: IncomingMessage): boolean;
  /** The origin a page served by this server has, for this request (null if the Host is not usable). */
  ownOrigin(req: IncomingMessage): string | null;
  /** Whether X-Forwarded-* from this peer address is believed. */
  trusts(address: string): boolean;
  /** Whether an Origin header is exactly this server's own origin. */
  isOwnOrigin(origin: string | undefined, req: IncomingMessage): boolean;
  /** Whether a URL (a Referer) is on this server's own origin. */
  isOwnUrl(url: string | undefined, req: IncomingMessage): boolean;
}

const maxOriginLength = 2048;

/** The serialised origin of `text`, or null when it is not an http(s) URL. */
export function originOf(text: string | undefined): string | null {
  if (!text || text.length > maxOriginLength || !URL.canParse(text)) return null;
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.origin;
}

const firstValue = (header: string | string[] | undefined): string | undefined => {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',')[0]?.trim() || undefined;
};

export function originGuard(settings: OriginSettings): OriginGuard {
  const { trustProxy } = settings;
  const trusted: (addr: string, i: number) => boolean =
    trustProxy === true
      ? () => true
      : trustProxy === false || trustProxy.length === 0
        ? () => false
        : proxyAddr.compile(trustProxy);
  const publicOrigin = settings.publicUrl ? originOf(settings.publicUrl) : null;
  if (settings.publicUrl && !publicOrigin) throw new Error(`PUBLIC_URL ${settings.publicUrl} is not a URL`);

  const viaTrustedProxy = (req: IncomingMessage) => trusted(req.socket.remoteAddress ?? '', 0);
  const isHttps = (req: IncomingMessage): boolean => {
    if ((req.socket as Partial<TLSSocket>).encrypted) return true;
    if (!viaTrustedProxy(req)) return false;
    return firstValue(req.headers['x-forwarded-proto'])?.toLowerCase() === 'https';
  };
  const ownOrigin = (req: IncomingMessage): string | null => {
    if (publicOrigin) return publicOrigin;
    const host =
      (viaTrustedProxy(req) ? firstValue(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host;
    if (!host || host.length > 300) return null;
    return originOf(`${isHttps(req) ? 'https' : 'http'}://${host}`);
  };
  return {
    trusts: (address) => trusted(address, 0),
    isHttps,
    ownOrigin,
    isOwnOrigin(origin, req) {
      return origin !== undefined && originOf(origin) === origin && origin === ownOrigin(req);
    },
    isOwnUrl(url, req) {
      const origin = originOf(url);
      return origin !== null && origin === ownOrigin(req);
    },
  };
}
