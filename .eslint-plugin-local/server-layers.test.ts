import path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import { serverLayers } from './server-layers.js';

RuleTester.describe = describe;
RuleTester.it = it;

const cwd = '/repo';
const server = (rel: string) => path.join(cwd, 'server', rel);
const options = [
  {
    root: '/repo/server',
    layers: {
      db: [],
      core: ['db'],
      http: ['core', 'db'],
      realtime: ['core', 'db'],
      features: ['core', 'db', 'http'],
    },
  },
];
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });
const ok = (filename: string, code: string) => ({ filename: server(filename), code, options });
const bad = (filename: string, code: string, messageId: string) => ({
  filename: server(filename),
  code,
  options,
  errors: [{ messageId }],
});

describe('server-layers', () => {
  tester.run('server-layers', serverLayers, {
    valid: [
      ok('features/tell/tell.ts', "import { audit } from '../../core/audit.js';"),
      ok('features/tell/tell.ts', "import type { Db } from '../../db/database.js';"),
      ok('features/tell/tell.ts', "import { currentUser } from '../../http/plumbing.js';"),
      ok('features/tell/tell.ts', "import { incidentRef } from '../incidents/index.js';"),
      ok('features/tell/tell.ts', "import { toTellAlert } from './alerts.js';"),
      ok('core/audit.ts', "import type { Db } from '../db/database.js';"),
      ok('realtime/agents.ts', "import { channel } from '../core/ports.js';"),
      ok('app.ts', "import { tellFeature } from './features/tell/index.js';"),
      ok('app.ts', "import { socketPush } from './realtime/socket-push.js';"),
      ok('features/tell/tell.ts', "import { z } from 'zod';"),
    ],
    invalid: [
      bad('core/ports.ts', "import { DeviceHub } from '../features/devices/index.js';", 'layer'),
      bad('db/database.ts', "import { HarbourError } from '../core/errors.js';", 'layer'),
      bad(
        'features/tell/tell.ts',
        "import { setUpAgentNamespace } from '../../realtime/agents.js';",
        'layer',
      ),
      bad('features/tell/tell.ts', "import type { Harbour } from '../../app.js';", 'layer'),
      bad('http/plumbing.ts', "import { userForSession } from '../features/accounts/index.js';", 'layer'),
      bad(
        'features/tell/tell.ts',
        "import { createIncident } from '../incidents/incidents.js';",
        'featureInternals',
      ),
      bad(
        'features/tell/tell.ts',
        "export { createIncident } from '../incidents/incidents.js';",
        'featureInternals',
      ),
      bad('app.ts', "import { DeviceHub } from './features/devices/hub.js';", 'featureInternals'),
      bad('features/tell/tell.ts', "const m = await import('../incidents/workflow.js');", 'featureInternals'),
      bad('features/tell/tell.ts', "import { x } from '../../services/x.js';", 'unknownLayer'),
    ],
  });
});
