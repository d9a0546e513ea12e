import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  aupBundleSchema,
  canonicalAupText,
  parseWith,
  sampleAudiences,
  samplePolicies,
  sampleSettings,
  type AupBundle,
  type AupContent,
  type AupSettings,
  type AupSource,
} from '@harbour/shared';

export function hashContent(content: AupContent): string {
  return createHash('sha256').update(canonicalAupText(content)).digest('hex');
}

/** One policy the agent can show: from the server, its cache, or the built-in samples. */
export interface ShownPolicy {
  documentId: string | null;
  audience: string;
  audienceName: string;
  version: number;
  content: AupContent;
  textHash: string;
  source: AupSource;
}

export interface PolicySet {
  settings: AupSettings;
  source: AupSource;
  byAudience: Map<string, ShownPolicy>;
}

/** Harbour's sample policies, carried in the agent for a first start with nothing cached. */
export function builtinPolicies(): PolicySet {
  const byAudience = new Map<string, ShownPolicy>();
  for (const audience of sampleAudiences) {
    const content = samplePolicies[audience.id];
    if (!content) continue;
    byAudience.set(audience.id, {
      documentId: null,
      audience: audience.id,
      audienceName: audience.name,
      version: 1,
      content,
      textHash: hashContent(content),
      source: 'builtin',
    });
  }
  return { settings: sampleSettings, source: 'builtin', byAudience };
}

export function fromBundle(bundle: AupBundle, source: AupSource): PolicySet {
  const byAudience = new Map<string, ShownPolicy>();
  for (const doc of bundle.documents) {
    byAudience.set(doc.audience, {
      documentId: doc.id,
      audience: doc.audience,
      audienceName: doc.audienceName,
      version: doc.version,
      content: doc.content,
      textHash: doc.textHash,
      source,
    });
  }
  return { settings: bundle.settings, source, byAudience };
}

/** The policy for `audience`, falling back to the built-in sample, then the default audience's. */
export function policyFor(set: PolicySet, audience: string): ShownPolicy {
  const builtin = builtinPolicies();
  const found =
    set.byAudience.get(audience) ??
    builtin.byAudience.get(audience) ??
    set.byAudience.get(set.settings.defaultAudience) ??
    builtin.byAudience.get('ks2');
  if (!found) throw new Error('no AUP available at all');
  return found;
}

const cacheFile = (dataDir: string) => path.join(dataDir, 'aup-cache.json');

export type CacheRead =
  | { ok: true; bundle: AupBundle }
  | { ok: false; reason: 'missing' | 'unreadable' | 'invalid' | 'hash-mismatch' };

/**
 * The last published policies the server sent, with each text's hash. A cache that does
 * not parse, or any of whose texts does not hash to what it says (tampered with, or
 * half-written), is refused as a whole.
 */
export function readCache(dataDir: string): CacheRead {
  let raw: string;
  try {
    raw = fs.readFileSync(cacheFile(dataDir), 'utf8');
  } catch {
    return { ok: false, reason: 'missing' };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  const parsed = parseWith(aupBundleSchema, (json as { bundle?: unknown } | null)?.bundle);
  if (!parsed.ok) return { ok: false, reason: 'invalid' };
  for (const doc of parsed.value.documents) {
    if (hashContent(doc.content) !== doc.textHash) return { ok: false, reason: 'hash-mismatch' };
  }
  return { ok: true, bundle: parsed.value };
}

/** Written atomically (temp file, then rename), readable only by the agent's account. */
export function writeCache(dataDir: string, bundle: AupBundle): void {
  const file = cacheFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ savedAt: new Date().toISOString(), bundle }), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
