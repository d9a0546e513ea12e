// Runs before the test suite: fails early, and clearly, when a system package is missing.
import fs from 'node:fs';
const chromium = process.env.HARBOUR_CHROMIUM ?? '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  console.error(
    `Harbour's end-to-end tests need Chromium at ${chromium}.\n` +
      'Install the system packages once with:  bash scripts/install-system-deps.sh',
  );
  process.exit(1);
}
