// One lint setup for the whole workspace. Besides the usual type-aware rules it
// enforces Harbour's runtime boundaries (see docs/architecture.md):
//   shared/            runs anywhere: no Node built-ins, no agent or dashboard code
//   agent/src/core     plain Node: never Electron, never the Electron shell
//   agent/src/**       only agent/src/electron-main may import 'electron'
//   agent/src/browser  pupil-facing pages: browser code, no Node built-ins, nothing of the
//                      agent's; from @harbour/shared only types
//   dashboard/src/web  browser: no Node built-ins, no server code
//   dashboard/src/server  Node: no React, no web code; inside it, layers by folder
//                      (.eslint-plugin-local/server-layers.js):
//                      db <- core <- http, realtime <- features/* <- app.ts, main.ts
//                      and a feature reaches another only through its index.ts
// and, across the whole repository, no import cycles (import-x/no-cycle, resolving
// TypeScript's `.js` specifiers to their `.ts` sources).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import harbourLocal from './.eslint-plugin-local/server-layers.js';

const tsProjects = [
  './tsconfig.check.json',
  './dashboard/tsconfig.web.json',
  './agent/tsconfig.browser.json',
  './extension/tsconfig.json',
];

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'net', 'url'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'test-results/**', 'build/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        project: tsProjects,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // No module may (through any chain of imports) import itself. Type-only imports are
    // erased at build time and so are not counted; the server's layer rule covers them.
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x reads only .js files and sees no edges between .ts modules.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: tsProjects, noWarnOnMultipleProjects: true }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['scripts/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['shared/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'shared/ runs in the browser too: no Node built-ins.' },
            {
              group: ['**/agent/**', '**/dashboard/**', '@harbour/agent', '@harbour/dashboard'],
              message: 'shared/ depends on nothing of ours.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['agent/src/**'],
    ignores: ['agent/src/electron-main/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only agent/src/electron-main may import Electron.' }],
          patterns: [
            { group: ['**/electron-main/**'], message: 'The core must not depend on the Electron shell.' },
          ],
        },
      ],
    },
  },
  {
    files: ['agent/src/browser/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@harbour/shared',
              allowTypeImports: true,
              message: 'Pupil pages take only types from @harbour/shared; they talk to the agent over HTTP.',
            },
          ],
          patterns: [
            { group: nodeBuiltins, message: 'Pupil pages run in the browser: no Node built-ins.' },
            {
              group: [
                '**/core/**',
                '**/platform/**',
                '**/node/**',
                '**/electron-main/**',
                '**/cli',
                '**/cli.js',
              ],
              message: "Pupil pages talk to the agent's local UI server over HTTP only.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['dashboard/src/web/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'The web app runs in the browser: no Node built-ins.' },
            {
              group: ['**/server/**'],
              message: 'The web app talks to the server over HTTP and socket.io only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The browser extension's service worker: browser APIs only, no Node, nothing of ours.
    files: ['extension/src/**'],
    languageOptions: { globals: { ...globals.serviceworker, chrome: 'readonly' } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeBuiltins, '**/agent/**', '**/dashboard/**', '@harbour/*'],
              message: 'The extension stands alone.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['dashboard/src/server/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'react', message: 'No React on the server.' }],
          patterns: [{ group: ['**/web/**'], message: 'The server does not import web code.' }],
        },
      ],
    },
  },
  {
    // The layer map inside the server (docs/architecture.md). The composition root (the
    // files directly in the folder: app.ts, main.ts, config.ts) may use every layer.
    files: ['dashboard/src/server/**/*.ts'],
    plugins: { 'harbour-local': harbourLocal },
    rules: {
      'harbour-local/server-layers': [
        'error',
        {
          root: 'dashboard/src/server',
          layers: {
            db: [],
            core: ['db'],
            http: ['core', 'db'],
            realtime: ['core', 'db'],
            features: ['core', 'db', 'http'],
          },
        },
      ],
    },
  },
  {
    files: [
      '**/*.test.ts',
      'test/**',
      'scripts/**',
      'agent/src/cli.ts',
      'agent/src/install-cli.ts',
      'dashboard/src/server/main.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
