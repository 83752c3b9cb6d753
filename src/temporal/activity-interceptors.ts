import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from '../logger';
import { withCorrelation, type CorrelationContext } from '../observability/correlation';
import { readCorrelationHeader } from './correlation-header';

/**
 * Runs each activity inside its correlation (the id from the Temporal header, its workflow and
 * activity type), so every log line written during it — ours, the adapters' — carries them and
 * adapters can forward the id (`correlationHeaders()`). Logs one line per attempt's end.
 */
export function correlationActivityInterceptor(logger: Logger): ActivityInterceptorsFactory {
  return (ctx) => {
    let correlationId: string | undefined;
    return {
      inbound: {
        async execute(input, next) {
          correlationId = readCorrelationHeader(input.headers);
          const { workflowExecution, activityType, attempt } = ctx.info;
          const context: CorrelationContext = { correlationId, workflowId: workflowExecution?.workflowId, activity: activityType };
          return withCorrelation(context, async () => {
            const started = performance.now();
            const ms = () => Math.round((performance.now() - started) * 10) / 10;
            try {
              const result = await next(input);
              logger.info({ attempt, ms: ms() }, 'activity completed');
              return result;
            } catch (err) {
              const e = err as { name?: unknown; message?: unknown; type?: unknown };
              logger.warn({ attempt, ms: ms(), error: { name: e?.name, type: e?.type, message: String(e?.message ?? err) } }, 'activity failed');
              throw err;
            }
          });
        },
      },
      outbound: {
        // the SDK's own activity logger (Context.log) gets the id too
        getLogAttributes: (attrs, next) => next(correlationId ? { ...attrs, correlationId } : attrs),
      },
    };
  };
}
