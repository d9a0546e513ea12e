import { createHash, createHmac } from 'node:crypto';

/**
 * The audit trail's hash chain: its rules live here, once (the 0004 migration and
 * core/audit.ts use them). Entries are chained with HMAC-SHA256 under a key kept outside
 * the database (core/keys.ts), so someone who can edit the database file cannot recompute
 * the chain after changing an entry. `legacyChainHash` is the unkeyed SHA-256 chain of
 * databases from before the key; they are re-chained with the key once, on start.
 */
export const genesisHash = '0'.repeat(64);

export interface ChainedFields {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: string | null;
}

const canonical = (e: ChainedFields) => JSON.stringify([e.id, e.at, e.actor, e.action, e.subject, e.detail]);

/** HMAC-SHA256, under the audit key, over the previous hash and the entry's canonical JSON form. */
export function chainHash(key: Buffer, prevHash: string, e: ChainedFields): string {
  return createHmac('sha256', key).update(prevHash).update('\n').update(canonical(e)).digest('hex');
}

/** The chain before the key: SHA-256 over the same text. */
export function legacyChainHash(prevHash: string, e: ChainedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical(e)).digest('hex');
}
