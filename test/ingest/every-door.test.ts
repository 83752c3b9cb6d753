import { startApi } from '../support/api';
import { startEngine } from '../support/engine';
import { build, outcome, SCENARIOS, send, type Stack } from './doors';
import { startQueueIntake, type QueueIntake } from './support';

/**
 * Every door leads to the same intake: each scenario's events go once through POST /v1/events
 * and once through the real broker (queue `reckon.events`'s format), each door at its own site,
 * and must leave the same cases, detections and watcher outcomes. The suite's policy makes
 * watchers and the mismatch settling window wait seconds.
 */
let stack: Stack;
let intake: QueueIntake;

beforeAll(async () => {
  const engine = await startEngine();
  intake = await startQueueIntake(engine);
  stack = { engine, api: await startApi(engine), broker: intake.broker, config: intake.config };
});
afterAll(async () => {
  await intake?.stop();
  await stack?.api.stop();
  await stack?.engine.stop();
});

describe.each(Object.entries(SCENARIOS))('%s', (_name, scenario) => {
  it('opens the same cases with the same detections and watcher outcome over the broker as over HTTP', async () => {
    const http = build(scenario, 'http');
    const queue = build(scenario, 'queue');
    await Promise.all([send(stack, 'http', http.events), send(stack, 'queue', queue.events)]);
    const [overHttp, overQueue] = await Promise.all([outcome(stack, scenario, 'http', http), outcome(stack, scenario, 'queue', queue)]);
    expect(overHttp.cases.some((c) => c.startsWith(scenario.opens[0]))).toBe(true);
    expect(overQueue).toEqual(overHttp);
  }, 120_000);
});
