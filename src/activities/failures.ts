import { ApplicationFailure } from '@temporalio/activity';
import { AdapterRejection } from '../adapters/errors';

export const BUSINESS_FAILURE_TYPES = { adapterRejection: 'AdapterRejection' } as const;

/** Business refusals become non-retryable failures with a type; everything else is retried. */
export async function asBusinessFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AdapterRejection) {
      throw ApplicationFailure.create({
        type: BUSINESS_FAILURE_TYPES.adapterRejection,
        message: `${err.code}: ${err.message}`,
        nonRetryable: true,
        details: [{ code: err.code }],
      });
    }
    throw err;
  }
}
