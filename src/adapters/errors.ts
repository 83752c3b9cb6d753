/**
 * A system of record refused a request for a business reason (unknown sku, closed period…).
 * Retrying will not help; activities turn it into a non-retryable ApplicationFailure.
 */
export class AdapterRejection extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AdapterRejection';
  }
}
