import { createHash } from 'node:crypto';

/** The audit trail's hash chain: its rules live here, once (the 0004 migration and services/audit.ts use them). */
export const genesisHash = '0'.repeat(64);

export interface ChainedFields {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: string | null;
}

/** SHA-256 over the previous hash and the entry's canonical JSON form. */
export function chainHash(prevHash: string, e: ChainedFields): string {
  const canonical = JSON.stringify([e.id, e.at, e.actor, e.action, e.subject, e.detail]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}
