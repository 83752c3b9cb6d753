// ESLint 9 flat config: recommended JS and TypeScript rules, type-aware promise checks, and a
// fence around workflow code (deterministic, sandboxed: no Node built-ins, no I/O clients).
const { defineConfig } = require('eslint/config');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/** Modules a workflow must never load at runtime (Node built-ins, I/O clients, activity code). */
const WORKFLOW_BANNED = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'crypto',
  'os',
  'child_process',
  'net',
  'http',
  'https',
  'pg',
  'pg/*',
  'ioredis',
  'express',
  'express/*',
];

module.exports = defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', '.venv/**', 'data/**', 'coverage/**', 'jest.config.js', 'eslint.config.js'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // the inbox's small browser scripts (src/web/assets): plain ES2020 in the browser, no build
    files: ['src/web/assets/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { window: 'readonly', document: 'readonly', EventSource: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', URL: 'readonly', URLSearchParams: 'readonly' },
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: __dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox and is replayed: it may import only
    // @temporalio/workflow, the pure domain and other workflow files. Types may come from anywhere.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: WORKFLOW_BANNED,
              allowTypeImports: true,
              message: 'Workflow code must be deterministic: no Node built-ins or I/O clients. Do the I/O in an activity.',
            },
            {
              group: ['../activities', '../activities/*', '**/activities', '**/activities/*'],
              allowTypeImports: true,
              message: 'Call activities through proxyActivities; import only their types (import type).',
            },
            {
              // everything else except @temporalio/workflow, the schema-free domain and ./workflow-local files
              regex: '^(?!@temporalio/workflow$|@temporalio/common$|\\.\\./domain/core$|(\\.\\./)*src/domain/core$|\\./|\\.\\./activities(/.*)?$|node:|(fs|path|crypto|os|child_process|net|http|https|pg|ioredis|express)(/.*)?$)',
              allowTypeImports: true,
              message: 'Workflow code may import only @temporalio/workflow (and the deterministic @temporalio/common it re-exports from), ../domain/core (the domain without zod: each workflow run loads its own modules) and ./workflow files (types excepted).',
            },
          ],
        },
      ],
    },
  },
  {
    // The reference ledger (fake-wms/) is a fake WMS/ERP outside the engine: engine code reaches it
    // only through the ports (src/adapters/ports.ts). src/wiring/fake-wms.ts, the composition
    // root's one door to it, wires it in as the port implementation and loads its fixtures.
    files: ['src/**/*.ts'],
    ignores: ['src/wiring/fake-wms.ts', 'src/workflows/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+fake-wms(/|$)',
              message: 'The fake WMS/ERP is outside the engine: go through WmsPort/ErpPort (src/adapters/ports.ts); only src/wiring/fake-wms.ts wires it in.',
            },
          ],
        },
      ],
    },
  },
);
