import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import pino, { type Logger } from 'pino';
import { Server as SocketServer } from 'socket.io';
import { agentNamespace, dashboardNamespace, harbourVersion, limits } from '@harbour/shared';
import type { ServerConfig } from './config.js';
import type { App, ServerFeature } from './core/feature.js';
import type { Authenticators } from './core/identity.js';
import { auditKeyPurpose, auditTrail } from './core/audit.js';
import { memoryPresence, soleNode } from './core/cluster.js';
import { defaultKeyFile, openServerKeys, type ServerKeys } from './core/keys.js';
import { liveScope } from './core/live-scope.js';
import { severalSchools } from './core/schools.js';
import { httpRateLimitStore, memoryCounters, rateLimit } from './core/rate-limit.js';
import { systemClock } from './core/ports.js';
import { databaseFile, openDatabase, type Db } from './db/database.js';
import type { DialectName } from './db/portable.js';
import { accountsFeature } from './features/accounts/index.js';
import { activityFeature } from './features/activity/index.js';
import { aupFeature, schoolLanguage } from './features/aup/index.js';
import { speechFeature } from './features/speech/index.js';
import { SpeechStore } from './core/speech.js';
import { devicesFeature, roomsOfStaff, schoolOfRoom } from './features/devices/index.js';
import { evidenceFeature } from './features/evidence/index.js';
import { incidentsFeature } from './features/incidents/index.js';
import { rosterFeature, type RosterFeature } from './features/roster/index.js';
import { lessonEndAt, supervisionFeature, type SupervisionFeature } from './features/supervision/index.js';
import { systemFeature } from './features/system/index.js';
import { tellFeature } from './features/tell/index.js';
import { originGuard } from './http/origin.js';
import { installPlumbing, type RouteInfo } from './http/plumbing.js';
import { agentEventRegistry } from './realtime/agent-events.js';
import { setUpAgentNamespace } from './realtime/agents.js';
import { joinCluster } from './realtime/cluster.js';
import { joinPostgresCluster } from './realtime/pg-cluster.js';
import { setUpDashboardNamespace } from './realtime/dashboards.js';
import { socketPush, type AgentNamespace, type DashboardNamespace } from './realtime/socket-push.js';

export interface Harbour {
  app: App;
  io: SocketServer;
  db: Db;
  /** The server's keys (outside the database). */
  keys: ServerKeys;
  /** The features, for tests and scripts that drive them directly. */
  features: { supervision: SupervisionFeature; roster: RosterFeature };
  /** The SQLite file, or PostgreSQL's address without its password. */
  dbFile: string;
  database: DialectName;
  /** Files beside the database: the key, audit checkpoints, evidence unless EVIDENCE_DIR (DATA_DIR). */
  dataDir: string;
  /** Where evidence files are kept (EVIDENCE_DIR, or DATA_DIR/evidence). */
  evidenceDir: string;
  /** This node's id when several are joined (REDIS_URL, or HARBOUR_CLUSTER=postgres). */
  nodeId: string | null;
  routes: RouteInfo[];
  logger: Logger;
  /** The URL the server listens on, e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/** Builds and starts a Harbour server: database, REST API, socket.io and the web app, on one port. */
export async function startHarbour(
  config: ServerConfig,
  options: {
    logger?: Logger;
    /** the built web app (dashboard/dist/web); none serves the API only */ webRoot?: string;
  } = {},
): Promise<Harbour> {
  const { logger, webRoot } = options;
  const log = logger ?? pino({ level: config.logLevel, base: { service: 'harbour-server' } });
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const keyFile = config.keyFile ?? defaultKeyFile(config.dataDir);
  const openedKeys = openServerKeys(keyFile, { forbidden: [databaseFile(config.dataDir)] });
  if (openedKeys.created) log.info({ keyFile }, 'server key created; back it up apart from the database');
  if (openedKeys.warning) log.warn({ keyFile }, openedKeys.warning);
  const { keys } = openedKeys;
  const opened = await openDatabase(config.dataDir, log, {
    auditKey: keys.derive(auditKeyPurpose),
    url: config.databaseUrl,
  });
  const { db, file: dbFile } = opened;
  const trail = auditTrail({
    db,
    keys,
    dir: path.join(config.dataDir, 'audit-checkpoints'),
    log: log.child({ service: 'audit' }),
  });

  const guard = originGuard({ publicUrl: config.publicUrl, trustProxy: config.trustProxy ?? false });
  const fastifyLogger: FastifyBaseLogger = log;
  const app = Fastify({
    loggerInstance: fastifyLogger,
    bodyLimit: limits.maxJsonBodyBytes,
    // Fastify's request.protocol and request.ip (Secure cookies, rate limits per address)
    // believe X-Forwarded-* exactly as far as the origin guard does.
    trustProxy: (address: string) => guard.trusts(address),
    // An address the router cannot take (a path segment too long to be an id, a bad escape) is
    // refused in Harbour's own error shape, without echoing a possibly huge address back.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply.status(tooLong ? 414 : 400).send({
        error: {
          code: 'bad_request',
          message: tooLong
            ? 'That address is too long: no id in it is that long.'
            : 'That address cannot be read.',
        },
      });
    },
    ...(config.tls && {
      https: { cert: fs.readFileSync(config.tls.certFile), key: fs.readFileSync(config.tls.keyFile) },
    }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const io = new SocketServer(app.server, {
    serveClient: false,
    maxHttpBufferSize: limits.maxTransportBytes,
    // Browsers send Origin; it must be this server. Agents (Node) send none.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      if (origin === undefined || guard.isOwnOrigin(origin, req)) return callback(null, true);
      log.warn({ ip: req.socket.remoteAddress }, 'socket connection refused: from a page on another site');
      callback('This connection came from a page on another site.', false);
    },
  });
  // Several nodes: pushes, presence, leases and counters go through Redis (REDIS_URL), or
  // through the database's PostgreSQL (HARBOUR_CLUSTER=postgres; config.ts refuses both at once
  // and refuses it on SQLite). Without either everything stays in this process, as on one node.
  const joining =
    config.redisUrl !== undefined
      ? joinCluster(io, config.redisUrl, log)
      : config.clusterOverPostgres && config.databaseUrl !== undefined
        ? joinPostgresCluster(io, config.databaseUrl, log)
        : undefined;
  const cluster = await joining?.catch(async (error: unknown) => {
    await opened.close();
    throw error;
  });
  const counters = cluster?.counters ?? memoryCounters();
  const lease = cluster?.lease ?? soleNode;
  const agents = io.of(agentNamespace) as AgentNamespace;
  const dashboards = io.of(dashboardNamespace) as DashboardNamespace;

  // The ports every feature is given, and the features, in the order they depend on each other.
  const push = socketPush(agents, dashboards, {
    scope: liveScope(
      (userId) => roomsOfStaff(db, userId),
      (roomId) => schoolOfRoom(db, roomId),
    ),
    log: log.child({ service: 'push' }),
    clustered: cluster !== undefined,
  });
  const clock = systemClock;
  const { dataDir } = config;
  const evidenceDir = config.evidenceDir ?? path.join(dataDir, 'evidence');
  const accounts = accountsFeature({
    db,
    push,
    log,
    keys,
    loginRateLimit: config.loginRateLimit,
    bootstrapAdmin: config.bootstrapAdmin,
    breachCheckUrl: config.passwordBreachCheckUrl,
    publicUrl: config.publicUrl,
    ssoFromEnvironment: config.sso,
    lease,
  });
  const devices = devicesFeature({
    db,
    push,
    clock,
    log: log.child({ nsp: 'agent' }),
    enrolRateLimit: config.enrolRateLimit,
    presence: cluster?.presence ?? memoryPresence(),
    health: {
      staleDays: config.deviceStaleDays ?? 7,
      expectedAgentVersion: harbourVersion,
      extensionSilentHours: 24,
    },
  });
  const roster = rosterFeature({
    db,
    log: log.child({ service: 'roster' }),
    devices,
    folder: config.rosterDir
      ? { dir: config.rosterDir, intervalMinutes: config.rosterIntervalMinutes ?? 60 }
      : undefined,
    lease,
  });
  const evidence = evidenceFeature({ db, evidenceDir });
  const activity = activityFeature({
    db,
    push,
    log: log.child({ service: 'activity' }),
    dataDir,
    devices,
    evidence,
    lease,
    people: (seen) => roster.people(seen),
  });
  // One speech engine queue for every pupil screen read aloud (the AUP, covers, teachers' messages).
  const speech = new SpeechStore(
    dataDir,
    log.child({ service: 'speech' }),
    config.speech?.limits,
    config.speech?.engine,
  );
  const supervision = supervisionFeature({
    db,
    push,
    log,
    devices,
    lease,
    speech,
    language: () => schoolLanguage(db),
  });
  // Repeat hits join a flag until the lesson it was raised in ends (supervision is built after activity).
  activity.provideLessonEnd(lessonEndAt);
  const incidents = incidentsFeature({ db, push, log, evidenceDir, activity, evidence, lease });
  const features: ServerFeature[] = [
    systemFeature({ db, trail, version: harbourVersion }),
    accounts,
    devices,
    roster,
    evidence,
    aupFeature({
      db,
      push,
      devices,
      roster,
      speech,
    }),
    activity,
    supervision,
    incidents,
    tellFeature({ db, push, incidents, counters }),
    speechFeature({ speech }),
  ];
  // One counter store for every limit (Redis when several nodes share it).
  const perMinute = config.rateLimits ?? { deviceSocket: 600, deviceUpload: 120, staffSocket: 300 };
  const deviceRate = rateLimit(counters, { perMinute: perMinute.deviceSocket, what: 'this computer' });
  const uploadRate = rateLimit(counters, { perMinute: perMinute.deviceUpload, what: 'this computer' });
  const staffRate = rateLimit(counters, { perMinute: perMinute.staffSocket, what: 'this sign-in' });
  const authenticate: Authenticators = {
    staff: accounts.staff,
    staffSession: accounts.staffSession,
    device: devices.device,
  };

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'upgrade-insecure-requests': null,
      },
    },
    hsts: false,
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: false,
    max: config.loginRateLimit,
    timeWindow: '1 minute',
    // Several nodes count each address together (Redis); one node keeps the plugin's own store.
    ...(cluster ? { store: httpRateLimitStore(counters) } : {}),
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Harbour API',
        version: harbourVersion,
        description:
          'REST API of the Harbour server. Sign in with POST /api/auth/login; the session cookie authenticates the rest.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'harbour_session' } } },
    },
    transform: jsonSchemaTransform,
  });

  const routes = installPlumbing(app, authenticate, guard, () => severalSchools(db), uploadRate);
  for (const feature of features) feature.routes?.(app);
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () => app.swagger());

  if (webRoot && fs.existsSync(path.join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: false });
    // Client-side routes (/rooms/…) get the app shell; unknown /api paths stay 404 JSON.
    app.get('/*', { schema: { hide: true } }, (request, reply) => {
      if (request.url.startsWith('/api/') || request.url.startsWith('/socket.io')) {
        return reply
          .status(404)
          .send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url}` } });
      }
      return reply.sendFile('index.html');
    });
  } else {
    log.warn({ webRoot }, 'the web app is not built; run `npm run build`');
  }

  const agentTransport = setUpAgentNamespace(agents, {
    db,
    push,
    clock,
    log: log.child({ nsp: 'agent' }),
    authenticate,
    features,
    events: agentEventRegistry(features),
    clockSkewed: (deviceId, claimed, used) => devices.clockSkewed(deviceId, claimed, used),
    rate: deviceRate,
  });
  setUpDashboardNamespace(dashboards, app, {
    push,
    log: log.child({ nsp: 'dashboard' }),
    // A session that must first change its password or enrol a second factor opens no live view.
    authenticate: {
      ...authenticate,
      staff: async (token) => {
        const user = await authenticate.staff(token);
        return user && !user.restriction ? user : null;
      },
      staffSession: async (token) => {
        const session = await authenticate.staffSession(token);
        return session && !session.user.restriction ? session : null;
      },
    },
    features,
    rate: staffRate,
  });
  for (const feature of features) await feature.start?.();

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${address.port}`;

  let closed = false;
  return {
    app,
    io,
    db,
    keys,
    features: { supervision, roster },
    dbFile,
    database: opened.dialect,
    dataDir: config.dataDir,
    evidenceDir,
    nodeId: cluster?.nodeId ?? null,
    routes,
    logger: log,
    url,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const feature of features) await feature.stop?.();
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await app.close();
      await agentTransport.settled();
      await cluster?.close();
      await opened.close();
    },
  };
}
