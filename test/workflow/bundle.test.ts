import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/temporal/worker-interceptors';

/**
 * Each workflow run evaluates every module of the bundle again: a schema library there is built
 * once per case. The bench measured zod's schema construction at about a fifth of a case's
 * workflow CPU, so the bundle the worker runs must hold the domain without it.
 */
let modules: string[];

beforeAll(async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  // webpack names each module it bundles in a comment: `/***/ "./src/domain/core.ts"`
  modules = [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"/gm)].map((m) => m[1]);
}, 60_000);

it('bundles the workflows with the schema-free domain', () => {
  expect(modules).toEqual(expect.arrayContaining([expect.stringMatching(/src\/domain\/core\.ts$/), expect.stringMatching(/src\/domain\/decide\.ts$/)]));
});

it('holds no zod and none of the domain modules that build schemas', () => {
  const schemaModules = modules.filter((m) => /node_modules\/zod\/|src\/domain\/(policy|discrepancy|event|default-policy|index)\.ts$/.test(m));
  expect(schemaModules).toEqual([]);
});
