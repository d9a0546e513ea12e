import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { renderSettingsTable, withSettingsTable } from './docs.js';
import { configKeys, keyDocs } from './schema.js';

const docsFile = fileURLToPath(new URL('../../../../docs/agent-configuration.md', import.meta.url));

describe('docs/agent-configuration.md', () => {
  it('documents every setting with its type and default, as generated from the schema', async () => {
    const current = fs.readFileSync(docsFile, 'utf8');
    const options = { ...(await prettier.resolveConfig(docsFile)), filepath: docsFile };
    const expected = await prettier.format(withSettingsTable(current), options);
    // If this fails: npm run docs:agent-config
    expect(current).toBe(expected);
  });

  it('the table has one row per key, each with a type and a default', () => {
    const table = renderSettingsTable();
    for (const key of configKeys) {
      expect(table).toContain(`| \`${key}\` |`);
      expect(keyDocs[key].type).not.toBe('');
      expect(keyDocs[key].default).not.toBe('');
    }
  });
});
