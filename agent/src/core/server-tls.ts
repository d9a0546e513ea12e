/**
 * How the agent checks who it is talking to. It always verifies the server's certificate
 * (Node's default; nothing here turns it off). A school whose server has a certificate from
 * its own certificate authority gives that CA's certificate (`serverCaFile`): it is then
 * trusted as well as the usual public ones, for the socket and for every HTTP request.
 */
import tls from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

/** The certificates to trust: the system's public roots and the school's own. */
export function trustedCas(schoolCa: string): string[] {
  return [...tls.rootCertificates, schoolCa];
}

/** A fetch that trusts the school's CA as well (Node's built-in fetch takes no CA option). */
export function fetchTrusting(schoolCa: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca: trustedCas(schoolCa) } });
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as never, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
