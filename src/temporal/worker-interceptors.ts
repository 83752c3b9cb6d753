import type { WorkerOptions } from '@temporalio/worker';
import type { Logger } from '../logger';
import { correlationActivityInterceptor } from './activity-interceptors';

/**
 * Workflow interceptor modules for the bundle. A worker bundling its own workflows gets them
 * through `reckonWorkerInterceptors`; whoever bundles ahead (tests) passes them to
 * `bundleWorkflowCode({ workflowInterceptorModules })`, and replay should use them too.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/interceptors')];

/** Interceptors of a Reckon worker: correlation ids from messages into activities and their logs. */
export function reckonWorkerInterceptors(logger: Logger, opts: { prebundled: boolean }): NonNullable<WorkerOptions['interceptors']> {
  return {
    activity: [correlationActivityInterceptor(logger)],
    // a prebuilt bundle carries its own modules; naming them again only makes the SDK warn
    ...(opts.prebundled ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
  };
}
