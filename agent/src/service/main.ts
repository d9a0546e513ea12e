/* eslint-disable no-console -- a command-line program: its errors and help go to the terminal */
/**
 * `harbour-agent service --server <url> [--enroll <token>|--enroll-file <file>] --data-dir <dir> [--socket <path>]`:
 * the machine service (one per computer, as root; the systemd unit runs it). See service.ts.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { harbourVersion } from '@harbour/shared';
import { loadAgentConfig } from '../node/config/index.js';
import { readServerCa } from '../node/server-ca.js';
import { settingsFromCommandLine, sharedOptions, takeEnrolmentSecret } from '../node/command-line.js';
import { platformProbes } from '../platform/index.js';
import { servicePlatform } from './platform.js';
import { MachineService } from './service.js';
import { adoptLegacy, candidateHomes, findLegacy, mergeLegacy } from './upgrade.js';

function fail(message: string, code = 2): never {
  console.error(`harbour-agent service: ${message}`);
  process.exit(code);
}

export async function runService(argv: string[]): Promise<void> {
  const platform = servicePlatform();
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ...sharedOptions,
        socket: { type: 'string', default: platform.defaultSocketPath },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  try {
    await takeEnrolmentSecret(values);
  } catch (error) {
    fail((error as Error).message);
  }
  if (!['on', 'off'].includes(values.aup) || !['on', 'off'].includes(values.activity))
    fail('--aup and --activity must be on or off');
  // Everything the service writes is its own: the outbox, evidence and credential files too.
  process.umask(0o077);
  const commandLine = settingsFromCommandLine(values, fail, () => false);
  const config = await loadAgentConfig({
    commandLine,
    root: path.resolve(values.root),
    defaults: { dataDir: platform.defaultDataDir, deviceName: undefined },
  });
  const settings = config.values;
  const logger = pino({ level: settings.logLevel, base: { service: 'harbour-service' } });
  // Where each setting came from (policy, config file, command line), never the values: a technician's first question.
  logger.info({ origin: config.origin }, 'settings loaded');
  if (!settings.serverUrl) fail('--server is required (or set serverUrl by policy or in the config file)');
  const dataDir = path.resolve(settings.dataDir);
  await platform.secureDataDir(dataDir);

  // The upgrade from per-user agents: adopt one credential, retire the others on the server.
  const legacy = findLegacy(
    platform.legacyDataDirs(candidateHomes(path.resolve(values.root))),
    settings.serverUrl,
    logger,
  );
  if (legacy.length > 0) adoptLegacy(dataDir, legacy, logger);

  const socketPath = path.resolve(values.socket);
  const script = process.argv[1] ?? '';
  const service = new MachineService({
    agent: {
      serverUrl: settings.serverUrl,
      dataDir,
      agentVersion: harbourVersion,
      enrolmentToken: settings.enrolmentToken,
      deviceName: settings.deviceName,
      heartbeatSeconds: settings.heartbeatSeconds,
      serverCa: readServerCa(settings.serverCaFile, fail),
    },
    socketPath,
    features: {
      aup: values.aup === 'on',
      helpBadge: values['help-badge'],
      activity: values.activity === 'on',
    },
    logger,
    probes: platformProbes(),
    problems: config.problems.map((p) => ({ code: p.code, message: p.message })),
    helper: platform.helper(
      { execPath: process.execPath, execArgv: process.execArgv, script },
      socketPath,
      settings.logLevel,
    ),
    account: (id) => platform.account(id),
    watcher: platform.watcher(),
    channel: platform.channel(socketPath, logger, (id) => platform.account(id)),
    starter: platform.starter,
    sessionAlive: (facts) => platform.sessionAlive(facts),
  });
  // The upgrade's other half: once online, the server retires the other per-user records.
  let merging = false;
  const mergeWhenOnline = () => {
    const credentials = service.agent.credentialsForService;
    if (!credentials || merging) return;
    merging = true;
    void mergeLegacy(dataDir, credentials, logger)
      .catch((error: unknown) =>
        logger.warn({ err: (error as Error).message }, 'upgrade: merge not done yet; trying again later'),
      )
      .finally(() => (merging = false));
  };
  service.agent.on('status', (status) => {
    if (status === 'online') mergeWhenOnline();
  });
  const stop = () => void service.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await service.start();
  } catch (error) {
    logger.fatal({ err: error }, 'service failed to start');
    process.exit(error instanceof Error && error.name === 'EnrolmentRefused' ? 3 : 1);
  }
  logger.info({ socket: socketPath, dataDir }, 'service running');
  // It may have come online during start(), before anyone listened: try now, and on every reconnection.
  if (service.agent.status === 'online') mergeWhenOnline();
}
