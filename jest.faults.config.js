/**
 * The fault suite (`npm run faults`): the engine as separate processes on its own private
 * Postgres, Redis and Temporal dev server, with workers killed and services stopped mid-run.
 * One file, in band: the faults must not overlap. No global setup: test/faults/stack.ts starts
 * everything it needs and never touches the machine's shared services.
 */
/* global module */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.fault.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  testTimeout: 10 * 60_000,
  maxWorkers: 1,
  forceExit: true,
};
