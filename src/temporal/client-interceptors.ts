import type { ClientInterceptors, WorkflowClientInterceptor } from '@temporalio/client';
import { currentCorrelationId } from '../observability/correlation';
import { withCorrelationHeader } from './correlation-header';

/**
 * Adds the current correlation id (of the API request or queue message at hand) as a Temporal
 * header to every call that reaches a workflow: start, signal, signal-with-start and updates.
 * The workflow's interceptor (src/workflows/interceptors.ts) takes it from there.
 */
export class CorrelationClientInterceptor implements WorkflowClientInterceptor {
  start: WorkflowClientInterceptor['start'] = (input, next) =>
    next({ ...input, headers: withCorrelationHeader(input.headers, currentCorrelationId()) });

  startWithDetails: WorkflowClientInterceptor['startWithDetails'] = (input, next) =>
    next({ ...input, headers: withCorrelationHeader(input.headers, currentCorrelationId()) });

  signal: WorkflowClientInterceptor['signal'] = (input, next) =>
    next({ ...input, headers: withCorrelationHeader(input.headers, currentCorrelationId()) });

  signalWithStart: WorkflowClientInterceptor['signalWithStart'] = (input, next) =>
    next({ ...input, headers: withCorrelationHeader(input.headers, currentCorrelationId()) });

  startUpdate: WorkflowClientInterceptor['startUpdate'] = (input, next) =>
    next({ ...input, headers: withCorrelationHeader(input.headers, currentCorrelationId()) });

  startUpdateWithStart: WorkflowClientInterceptor['startUpdateWithStart'] = (input, next) => {
    const id = currentCorrelationId();
    return next({
      ...input,
      workflowStartHeaders: withCorrelationHeader(input.workflowStartHeaders, id),
      updateHeaders: withCorrelationHeader(input.updateHeaders, id),
    });
  };
}

/** The interceptors every Reckon Temporal client uses (API, queue consumer). */
export function reckonClientInterceptors(): ClientInterceptors {
  return { workflow: [new CorrelationClientInterceptor()] };
}
