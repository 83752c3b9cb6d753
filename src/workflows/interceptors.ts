import type {
  Headers,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { defaultPayloadConverter } from '@temporalio/workflow';

/** Same name as CORRELATION_TEMPORAL_HEADER in src/observability (workflow code cannot import it). */
export const CORRELATION_HEADER = 'reckon-correlation-id';

type Payload = Headers[string];

/**
 * Carries the correlation id through a case: the header of the latest start, signal or update
 * that brought one becomes the header of every activity, continue-as-new, child and external
 * signal the workflow issues after it — so an approval's adjustment is logged under the
 * approval request's id, an escalation under the id of the message before it. Headers are part
 * of the history, so replay sees the same ids; headers are not part of the commands compared on
 * replay, so adding them changes no command sequence.
 */
class Correlation {
  latest?: Payload;

  take(headers: Headers | undefined): void {
    const p = headers?.[CORRELATION_HEADER];
    if (p) this.latest = p;
  }

  add(headers: Headers): Headers {
    return this.latest ? { ...headers, [CORRELATION_HEADER]: this.latest } : headers;
  }

  id(): string | undefined {
    if (!this.latest) return undefined;
    try {
      const v: unknown = defaultPayloadConverter.fromPayload(this.latest);
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }
}

class Inbound implements WorkflowInboundCallsInterceptor {
  constructor(private readonly c: Correlation) {}

  execute: WorkflowInboundCallsInterceptor['execute'] = (input, next) => {
    this.c.take(input.headers);
    return next(input);
  };

  handleSignal: WorkflowInboundCallsInterceptor['handleSignal'] = (input, next) => {
    this.c.take(input.headers);
    return next(input);
  };

  handleUpdate: WorkflowInboundCallsInterceptor['handleUpdate'] = (input, next) => {
    this.c.take(input.headers);
    return next(input);
  };
}

class Outbound implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly c: Correlation) {}

  scheduleActivity: WorkflowOutboundCallsInterceptor['scheduleActivity'] = (input, next) =>
    next({ ...input, headers: this.c.add(input.headers) });

  scheduleLocalActivity: WorkflowOutboundCallsInterceptor['scheduleLocalActivity'] = (input, next) =>
    next({ ...input, headers: this.c.add(input.headers) });

  startChildWorkflowExecution: WorkflowOutboundCallsInterceptor['startChildWorkflowExecution'] = (input, next) =>
    next({ ...input, headers: this.c.add(input.headers) });

  signalWorkflow: WorkflowOutboundCallsInterceptor['signalWorkflow'] = (input, next) =>
    next({ ...input, headers: this.c.add(input.headers) });

  continueAsNew: WorkflowOutboundCallsInterceptor['continueAsNew'] = (input, next) =>
    next({ ...input, headers: this.c.add(input.headers) });

  getLogAttributes: WorkflowOutboundCallsInterceptor['getLogAttributes'] = (input, next) => {
    const id = this.c.id();
    return next(id ? { ...input, correlationId: id } : input);
  };
}

/** Registered through the worker's `interceptors.workflowModules`; called once per workflow run. */
export function interceptors(): WorkflowInterceptors {
  const c = new Correlation();
  return { inbound: [new Inbound(c)], outbound: [new Outbound(c)] };
}
