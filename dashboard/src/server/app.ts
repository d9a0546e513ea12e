import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import pino, { type Logger } from 'pino';
import { Server as SocketServer } from 'socket.io';
import { agentNamespace, dashboardNamespace, harbourVersion, limits } from '@harbour/shared';
import { purgeExpiredSessions } from './features/accounts/sessions.js';
import type { ServerConfig } from './config.js';
import type { App, ServerContext } from './context.js';
import { openDatabase, type Db } from './db/database.js';
import { installPlumbing, type RouteInfo } from './http/plumbing.js';
import { deviceRoom, setUpAgentNamespace, type AgentNamespace } from './realtime/agents.js';
import {
  roomChannel,
  setUpDashboardNamespace,
  userChannel,
  type DashboardNamespace,
} from './realtime/dashboards.js';
import { aupRoutes } from './features/aup/aup.routes.js';
import { authRoutes, createFirstAdmin, needsSetup } from './features/accounts/auth.routes.js';
import { deviceRoutes } from './features/devices/devices.routes.js';
import { enrolmentRoutes } from './features/devices/enrolment.routes.js';
import { evidenceRoutes } from './features/evidence/evidence.routes.js';
import { supervisionRoutes } from './features/supervision/supervision.routes.js';
import { endExpiredSessions } from './features/supervision/supervision.js';
import { roomRoutes } from './features/devices/rooms.routes.js';
import { systemRoutes } from './features/system/system.routes.js';
import { userRoutes } from './features/accounts/users.routes.js';
import { DeviceHub } from './features/devices/hub.js';
import { incidentChannels } from './realtime/incident-channels.js';
import { incidentRoutes } from './features/incidents/incidents.routes.js';
import { auditRoutes, incidentReportRoutes } from './features/incidents/reports.routes.js';
import { safeguardingRoutes } from './features/incidents/settings.routes.js';
import { tellRoutes } from './features/tell/tell.routes.js';
import { flagsBecomeIncidents } from './features/incidents/flags.js';
import { IncidentNotifier } from './features/incidents/notify.js';
import { runRetention } from './features/incidents/retention.js';
import { ActivityHub } from './features/activity/hub.js';
import { activityChannel } from './features/activity/agent-activity.js';
import { activityRoutes } from './features/activity/activity.routes.js';

export interface Harbour {
  app: App;
  io: SocketServer;
  db: Db;
  /** What handlers get: for tests and scripts that drive services directly. */
  context: ServerContext;
  dbFile: string;
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
  const opened = await openDatabase(config.dataDir, log);
  const { db, file: dbFile } = opened;

  if (config.bootstrapAdmin && (await needsSetup(db))) {
    await createFirstAdmin(db, { ...config.bootstrapAdmin, displayName: 'Administrator' });
    log.info({ email: config.bootstrapAdmin.email }, 'first administrator created from the environment');
  }

  const fastifyLogger: FastifyBaseLogger = log;
  const app = Fastify({
    loggerInstance: fastifyLogger,
    bodyLimit: limits.maxJsonBodyBytes,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const io = new SocketServer(app.server, {
    serveClient: false,
    maxHttpBufferSize: limits.maxTransportBytes,
    // Browsers send Origin; it must be this server. Agents (Node) send none.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, !origin || new URL(origin).host === req.headers.host);
    },
  });
  const agents = io.of(agentNamespace) as AgentNamespace;
  const dashboards = io.of(dashboardNamespace) as DashboardNamespace;

  const hub = new DeviceHub(db, {
    changed: (device) => dashboards.to(roomChannel(device.roomId)).emit('device:changed', device),
    removed: (device) => dashboards.to(roomChannel(device.roomId)).emit('device:removed', device),
    revoked: (deviceId) => {
      agents
        .to(deviceRoom(deviceId))
        .emit('server:revoked', { reason: 'This device was revoked by a technician.' });
      agents.in(deviceRoom(deviceId)).disconnectSockets(true);
    },
  });
  const incidentEvents = new IncidentNotifier(
    db,
    incidentChannels(dashboards, agents),
    log.child({ part: 'incidents' }),
  );
  const activity = new ActivityHub(
    db,
    {
      activity: (a) => dashboards.to(activityChannel(a.roomId)).emit('activity:changed', a),
      flag: (f) => dashboards.to(activityChannel(f.roomId)).emit('flag:raised', f),
      configChanged: () => agents.emit('activity:config-changed', {}),
    },
    log.child({ service: 'activity' }),
  );
  await activity.start();
  flagsBecomeIncidents(activity, db, incidentEvents);
  const ctx: ServerContext = {
    db,
    hub,
    activity,
    incidentEvents,
    version: harbourVersion,
    push: {
      device: (deviceId, event, ...args) => agents.to(deviceRoom(deviceId)).emit(event, ...args),
      room: (roomId, event, ...args) => dashboards.to(roomChannel(roomId)).emit(event, ...args),
    },
    dataDir: config.dataDir,
    rateLimits: { login: config.loginRateLimit, enrol: config.enrolRateLimit },
    health: {
      staleDays: config.deviceStaleDays ?? 7,
      expectedAgentVersion: harbourVersion,
      extensionSilentHours: 24,
    },
    disconnectUser: (userId) => dashboards.in(userChannel(userId)).disconnectSockets(true),
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
  await app.register(fastifyRateLimit, { global: false, max: config.loginRateLimit, timeWindow: '1 minute' });
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

  const routes = installPlumbing(app, db);
  systemRoutes(app, ctx);
  authRoutes(app, ctx);
  userRoutes(app, ctx);
  roomRoutes(app, ctx);
  enrolmentRoutes(app, ctx);
  deviceRoutes(app, ctx);
  incidentRoutes(app, ctx);
  incidentReportRoutes(app, ctx);
  tellRoutes(app, ctx);
  safeguardingRoutes(app, ctx);
  auditRoutes(app, ctx);
  aupRoutes(app, ctx, agents);
  activityRoutes(app, ctx);
  evidenceRoutes(app, ctx);
  supervisionRoutes(app, ctx);
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

  setUpAgentNamespace(agents, ctx, log.child({ nsp: 'agent' }));
  setUpDashboardNamespace(dashboards, app, ctx, log.child({ nsp: 'dashboard' }));

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${address.port}`;

  const sweeper = setInterval(() => void purgeExpiredSessions(db).catch(() => undefined), 3600_000);
  sweeper.unref();
  const retention = () =>
    void runRetention(db, config.dataDir).catch((error: unknown) =>
      log.error({ err: error }, 'retention purge failed'),
    );
  retention();
  const retentionTimer = setInterval(retention, 24 * 3600_000);
  retentionTimer.unref();
  // Supervised sessions end by themselves at the time the teacher set.
  const lessonBell = setInterval(
    () =>
      void endExpiredSessions(ctx).catch((error: unknown) =>
        log.error({ err: error }, 'ending sessions failed'),
      ),
    10_000,
  );
  lessonBell.unref();

  let closed = false;
  return {
    app,
    io,
    db,
    context: ctx,
    dbFile,
    routes,
    logger: log,
    url,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      clearInterval(retentionTimer);
      await incidentEvents.idle();
      clearInterval(lessonBell);
      activity.stop();
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await app.close();
      await opened.close();
    },
  };
}
