/**
 * Failures of a remote that retrying may cure. They are plain errors (not AdapterRejection), so
 * Temporal retries the activity with its own backoff; evidence activities record the source as
 * missing once their attempts are spent.
 */
export class RemoteUnavailable extends Error {
  constructor(
    readonly remote: string,
    /** `timeout`, `unreachable`, `http_503`, `unauthorized`… */
    readonly reason: string,
    message: string,
  ) {
    super(`${remote}: ${message}`);
    this.name = 'RemoteUnavailable';
  }
}

/** The remote's circuit is open: the call was not made. Fails fast so callers back off. */
export class CircuitOpen extends Error {
  constructor(
    readonly remote: string,
    /** how long until the circuit lets a trial call through (0: a trial call is out now) */
    readonly retryInMs: number,
  ) {
    super(
      retryInMs > 0
        ? `${remote}: circuit open after repeated failures; next trial call in ${retryInMs} ms`
        : `${remote}: circuit half-open; waiting for the trial call's answer`,
    );
    this.name = 'CircuitOpen';
  }
}

/**
 * The remote answered 2xx with a body the contract does not allow. A bug on one side, not an
 * outage: it does not count against the circuit; evidence reads record the source missing after
 * their few attempts, and a write is not retried (the case goes to a person, needs_attention).
 */
export class RemoteContractViolation extends Error {
  constructor(
    readonly remote: string,
    message: string,
  ) {
    super(`${remote}: ${message}`);
    this.name = 'RemoteContractViolation';
  }
}
