import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { toApiError } from '../../src/api/errors';
import { REFUSAL_FAILURE_TYPES } from '../../src/workflows/messages';

/** How errors from Temporal, Postgres and the body parser become HTTP answers. */
const refusal = (type: string, message: string) =>
  new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type, message, nonRetryable: true }));

describe('toApiError', () => {
  it.each([
    [REFUSAL_FAILURE_TYPES.forbidden, 403],
    [REFUSAL_FAILURE_TYPES.conflict, 409],
    [REFUSAL_FAILURE_TYPES.refused, 422],
  ])('maps an update refused with %s to %i and keeps the message', (type, status) => {
    const mapped = toApiError(refusal(type, 'u7 took part in the count and may not decide it'));
    expect(mapped?.status).toBe(status);
    expect(mapped?.message).toBe('u7 took part in the count and may not decide it');
  });

  it('maps a bare refusal ApplicationFailure the same way', () => {
    expect(toApiError(ApplicationFailure.create({ type: REFUSAL_FAILURE_TYPES.refused, message: 'limit' }))?.status).toBe(422);
  });

  it('maps an update that failed because the case closed meanwhile to 409', () => {
    expect(toApiError(refusal('AcceptedUpdateCompletedWorkflow', 'completed'))?.status).toBe(409);
  });

  it('maps unknown workflows to 404 and completed ones to 409', () => {
    expect(toApiError(new WorkflowNotFoundError('workflow not found for ID: x', 'x', undefined))?.status).toBe(404);
    expect(toApiError(new WorkflowNotFoundError('workflow execution already completed', 'x', undefined))?.status).toBe(409);
  });

  it('maps Temporal being unreachable or slow to 503', () => {
    const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, metadata: {} });
    expect(toApiError(new ServiceError('Failed to signalWithStart Workflow', { cause: grpc }))?.status).toBe(503);
    expect(toApiError(new WorkflowUpdateRPCTimeoutOrCancelledError('timeout'))?.status).toBe(503);
  });

  it('maps Postgres being unreachable to 503', () => {
    expect(toApiError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))?.status).toBe(503);
    expect(toApiError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))?.status).toBe(503);
    expect(toApiError(new Error('timeout exceeded when trying to connect'))?.status).toBe(503);
    const noDb = Object.assign(new Error('database "x" does not exist'), { code: '3D000', severity: 'FATAL' });
    expect(toApiError(noDb)?.status).toBe(503);
  });

  it('maps body-parser errors: malformed JSON 400, too large 413', () => {
    expect(toApiError({ type: 'entity.parse.failed', status: 400 })?.status).toBe(400);
    expect(toApiError({ type: 'entity.too.large', status: 413, limit: 1024 })?.status).toBe(413);
  });

  it('leaves genuine faults unmapped (500)', () => {
    expect(toApiError(new TypeError('x is undefined'))).toBeNull();
  });
});
