/**
 * Settings precedence: the first source (command line, policy, machine-wide config
 * file) with a *valid* value for a key wins, then the default. An invalid value is
 * reported and skipped, so a lower source or the default still applies and the agent
 * keeps running on everything else.
 */
import {
  agentConfigShape,
  configKeys,
  staticDefaults,
  type ConfigDefaults,
  type ConfigKey,
  type ConfigValues,
} from './schema.js';
import type { ConfigProblem } from './problems.js';
import type { ConfigSource, SourceRead } from './sources.js';

export interface ResolvedConfig {
  values: Partial<ConfigValues> & Pick<ConfigValues, 'dataDir' | 'heartbeatSeconds' | 'logLevel'>;
  /** Where each value came from: a source's name, or "default". */
  origin: Partial<Record<ConfigKey, string>>;
  problems: ConfigProblem[];
}

const isKey = (k: string): k is ConfigKey => Object.hasOwn(agentConfigShape, k);

/** A code-safe form of a key a technician typed (unknown keys can be anything). */
function codePart(key: string): string {
  return (
    key
      .replace(/[^A-Za-z0-9_]/g, '_')
      .slice(0, 40)
      .toLowerCase() || 'empty'
  );
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export async function resolveConfig(
  sources: ConfigSource[],
  defaults: ConfigDefaults,
): Promise<ResolvedConfig> {
  const problems: ConfigProblem[] = [];
  const reads: { source: ConfigSource; values: Record<string, unknown> }[] = [];
  for (const source of sources) {
    const read: SourceRead = await source.read().catch((error: unknown) => ({
      values: {},
      problems: [
        {
          code: 'config.unreadable',
          source: source.name,
          message: `Cannot read ${source.name}: ${(error as Error).message}`,
        },
      ],
    }));
    problems.push(...read.problems);
    for (const key of Object.keys(read.values)) {
      if (!isKey(key)) {
        problems.push({
          code: `config.unknown_key.${codePart(key)}`,
          source: source.name,
          key,
          message: `${source.name}: unknown setting "${key.slice(0, 80)}" was ignored. Known settings: ${configKeys.join(', ')}.`,
        });
      }
    }
    reads.push({ source, values: read.values });
  }

  const values: Record<string, unknown> = {};
  const origin: Partial<Record<ConfigKey, string>> = {};
  for (const key of configKeys) {
    for (const { source, values: raw } of reads) {
      if (!Object.hasOwn(raw, key)) continue;
      const parsed = agentConfigShape[key].safeParse(raw[key]);
      if (parsed.success) {
        values[key] = parsed.data;
        origin[key] = source.name;
        break;
      }
      const reason = parsed.error.issues[0]?.message ?? 'is not valid';
      problems.push({
        code: `config.invalid.${key}`,
        source: source.name,
        key,
        message: `${source.name}: ${key} ${reason} (got ${preview(raw[key])}); ${
          sources.indexOf(source) < sources.length - 1
            ? 'using the next source or the default'
            : 'using the default'
        }.`,
      });
    }
    if (values[key] === undefined) {
      const fallback =
        key === 'dataDir'
          ? defaults.dataDir
          : key === 'deviceName'
            ? defaults.deviceName
            : staticDefaults[key];
      if (fallback !== undefined) {
        values[key] = fallback;
        origin[key] = 'default';
      }
    }
  }
  return { values: values as ResolvedConfig['values'], origin, problems };
}
