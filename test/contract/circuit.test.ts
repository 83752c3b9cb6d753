import { CircuitBreaker, type CircuitState } from '../../src/adapters/http';

/** The breaker's state machine on a hand-driven clock. */
function breaker(failures = 3, resetMs = 1000) {
  let now = 0;
  const changes: string[] = [];
  const b = new CircuitBreaker({ failures, resetMs, now: () => now, onChange: (from: CircuitState, to: CircuitState) => changes.push(`${from}->${to}`) });
  return { b, changes, advance: (ms: number) => (now += ms) };
}

describe('circuit breaker', () => {
  it('opens after N consecutive failures and then refuses calls', () => {
    const { b, changes } = breaker(3);
    for (let i = 0; i < 2; i++) {
      expect(b.tryAcquire()).toBe(true);
      b.failure();
    }
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    expect(b.retryInMs()).toBe(1000);
    expect(changes).toEqual(['closed->open']);
  });

  it('a success in between resets the count: failures must be consecutive', () => {
    const { b } = breaker(3);
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
  });

  it('after resetMs one trial call goes through; others wait for its verdict; success closes', () => {
    const { b, changes, advance } = breaker(1, 1000);
    b.failure();
    advance(999);
    expect(b.tryAcquire()).toBe(false);
    advance(1);
    expect(b.tryAcquire()).toBe(true);
    expect(b.state).toBe('half_open');
    expect(b.tryAcquire()).toBe(false);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('a failed trial opens the circuit again for another resetMs', () => {
    const { b, advance } = breaker(5, 1000);
    for (let i = 0; i < 5; i++) b.failure();
    advance(1000);
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    advance(500);
    expect(b.tryAcquire()).toBe(false);
    advance(500);
    expect(b.tryAcquire()).toBe(true);
  });

  it('a trial that ends without a verdict lets the next call be the trial', () => {
    const { b, advance } = breaker(1, 10);
    b.failure();
    advance(10);
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.state).toBe('half_open');
    expect(b.tryAcquire()).toBe(true);
  });
});
