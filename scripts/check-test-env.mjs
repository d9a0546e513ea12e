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
// The integration-pg and security-pg projects start their own PostgreSQL from Debian's package.
const pgRoot = '/usr/lib/postgresql';
const hasPostgres =
  fs.existsSync(pgRoot) && fs.readdirSync(pgRoot).some((v) => fs.existsSync(`${pgRoot}/${v}/bin/initdb`));
if (!hasPostgres) {
  console.error(
    "Harbour's PostgreSQL tests need Debian's postgresql package (initdb under /usr/lib/postgresql).\n" +
      'Install the system packages once with:  bash scripts/install-system-deps.sh',
  );
  process.exit(1);
}
// The multi-node test (integration-pg) starts its own redis-server from Debian's package.
const hasRedis = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((p) => fs.existsSync(p));
if (!hasRedis) {
  console.error(
    "Harbour's multi-node tests need Debian's redis-server package.\n" +
      'Install the system packages once with:  bash scripts/install-system-deps.sh',
  );
  process.exit(1);
}
