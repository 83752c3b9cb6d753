import type { WorkerOptions } from '@temporalio/worker';
import type { Logger } from '../logger';
import { correlationActivityInterceptor } from './activity-interceptors';

/**
 * Workflow interceptor modules for the bundle. A worker bundling its own workflows gets them
 * through `reckonWorkerInterceptors`; whoever bundles ahead (tests) passes them to
 * `bundleWorkflowCode({ workflowInterceptorModules })`, and replay should use them too.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/interceptors')];

/**
 * Modules the workflow bundle loads once per worker thread and shares between cases: the domain,
 * the workflows and their interceptors, i.e. every Reckon module of the bundle. A module not
 * preloaded is evaluated again for every case in the sticky cache (the SDK keeps module state
 * apart per workflow), and each copy stays in memory while the case waits. Sharing is safe
 * because none keeps state of its own (test/workflow/bundle.test.ts checks), and the SDK freezes
 * what they export. Pass to bundleWorkflowCode too.
 */
export const WORKFLOW_PRELOAD_MODULES = [require.resolve('../domain/core'), require.resolve('../workflows'), ...WORKFLOW_INTERCEPTOR_MODULES];

/** Interceptors of a Reckon worker: correlation ids from messages into activities and their logs. */
export function reckonWorkerInterceptors(logger: Logger, opts: { prebundled: boolean }): NonNullable<WorkerOptions['interceptors']> {
  return {
    activity: [correlationActivityInterceptor(logger)],
    // a prebuilt bundle carries its own modules; naming them again only makes the SDK warn
    ...(opts.prebundled ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
  };
}
