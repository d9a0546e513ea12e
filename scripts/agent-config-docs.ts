// Regenerates the settings table in docs/agent-configuration.md from the agent's
// settings schema (agent/src/node/config/schema.ts). A unit test checks it is current.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { withSettingsTable } from '../agent/src/node/config/docs.js';

const file = fileURLToPath(new URL('../docs/agent-configuration.md', import.meta.url));
const options = { ...(await prettier.resolveConfig(file)), filepath: file };
fs.writeFileSync(file, await prettier.format(withSettingsTable(fs.readFileSync(file, 'utf8')), options));
console.log(`updated ${file}`);
