import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { answerClientErrors } from '../../src/api/client-errors';
import { createRedisClient } from '../../src/api/redis';
import { createApiKey } from '../../src/store/api-key-repo';
import { startEngine, type Engine } from '../support/engine';
import { createIsolatedDatabase } from './isolated-db';

/**
 * Schemathesis against the real API (engine, Temporal, Postgres, Redis) on a loopback port:
 * examples, coverage (boundary and negative cases), fuzzing and the stateful phase, 40 examples
 * of every operation in /openapi.json, as an admin, in a database of its own (it stores policy
 * versions). Every check (`--checks all`): no 5xx; status codes, headers, content types and
 * bodies as declared; schema-valid requests taken and schema-violating ones refused; 405 with
 * Allow for undeclared methods; 401 without the key; every 4xx problem+json (custom check in
 * problem_json.py). Path ids are often real cases, so approver actions reach the
 * workflow's validators instead of stopping at 404. The seed is fixed, so CI runs the same
 * examples every time (`SCHEMATHESIS_SEED=<n>` explores others); a failure prints schemathesis's
 * report. `SCHEMATHESIS_REPORT_DIR=<dir>` keeps the reports (output and JUnit per process).
 */
const SCHEMATHESIS = join(__dirname, '..', '..', '.venv', 'bin', 'schemathesis');
const HOOKS = join(__dirname, 'problem_json.py');
const MAX_EXAMPLES = 40;
const SEED = process.env.SCHEMATHESIS_SEED ?? '20261122';

let engine: Engine;
let server: Server;
let drop: () => Promise<void>;
let redis: ReturnType<typeof createRedisClient>;
const serverErrors: string[] = [];

beforeAll(async () => {
  const db = await createIsolatedDatabase(`schema_${process.pid}`);
  drop = db.drop;
  // the fuzzer sends hundreds of requests a minute with one key
  engine = await startEngine({ DATABASE_URL: db.url, RATE_LIMIT_PER_MINUTE: 1_000_000 });
  redis = createRedisClient(engine.config.REDIS_URL);
  const sink = new Writable({
    write(chunk, _enc, done) {
      if (JSON.parse(String(chunk)).level >= 50) serverErrors.push(String(chunk));
      done();
    },
  });
  const app = createApp({ temporal: engine.client, db: engine.db, redis, config: engine.config, logger: pino({ level: 'warn' }, sink) });
  server = await new Promise<Server>((resolve) => {
    const s = answerClientErrors(app.listen(0, '127.0.0.1', () => resolve(s)));
  });
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  server?.closeAllConnections();
  redis?.disconnect();
  await engine?.stop();
  await drop?.();
});

type Spec = {
  paths: Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, { content?: Record<string, unknown> }> }>>;
};

/**
 * schemathesis.toml: real case ids for `{id}` (most of the time), and a short read of every
 * server-sent event stream (a stream never ends by itself).
 */
function configFile(spec: Spec, caseIds: string[], key: string): string {
  const lines = [
    // the key through the document's security scheme (not a fixed header), so schemathesis can
    // also send requests without it and check they are refused (401)
    '[auth.openapi.bearer]',
    `bearer = ${JSON.stringify(key)}`,
    '',
    '[dictionaries.cases]',
    `values = ${JSON.stringify(caseIds)}`,
    '',
    '[parameters]',
    '"path.id" = { dictionary = "cases", probability = 0.7 }',
    '',
    // 400 means "breaks what the document states"; 422 "well-formed, but a rule the document cannot
    // state refuses it" (an approval over the limit, a cursor not issued, quantities that agree)
    '[checks.positive_data_acceptance]',
    'expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]',
  ];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const streams = Object.values(op.responses ?? {}).some((r) => Object.keys(r.content ?? {}).some((t) => t.startsWith('text/event-stream')));
      if (streams) lines.push('', '[[operations]]', `include-name = ${JSON.stringify(`${method.toUpperCase()} ${path}`)}`, 'request-timeout = 1', 'max-stream-events = 5');
    }
  }
  return lines.join('\n') + '\n';
}

/** A few live cases for the fuzzer to act on: a receiving variance goes straight to approval. */
async function reportCases(auth: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await request(server)
      .post('/v1/discrepancies')
      .set('Authorization', auth)
      .send({
        kind: 'receiving_variance', site: 'DC-FUZZ', sku: `SKU-FUZZ-${process.pid}-${i}`, location: 'DOCK-1',
        reference: { kind: 'asn', id: `ASN-FUZZ-${i}` }, expectedQty: 100, observedQty: 90 - i * 10, unitCost: 5, skuClass: 'B', source: 'erp',
      })
      .expect(202);
    ids.push(res.body.id);
  }
  return ids;
}

/**
 * Cases the fuzzer's accepted requests left retrying an activity: input the API let through that
 * the engine cannot process (an answer of 200 says nothing about what happens next).
 */
async function wedgedCases(): Promise<string[]> {
  await new Promise((r) => setTimeout(r, 3000)); // let a failing activity fail and retry
  const wedged: string[] = [];
  const query = `TaskQueue = '${engine.config.TEMPORAL_TASK_QUEUE}' AND ExecutionStatus = 'Running'`;
  for await (const wf of engine.client.workflow.list({ query })) {
    const { raw } = await engine.client.workflow.getHandle(wf.workflowId, wf.runId).describe();
    for (const a of raw.pendingActivities ?? []) {
      if (a.lastFailure) wedged.push(`${wf.workflowId}: ${a.activityType?.name} attempt ${a.attempt}: ${a.lastFailure.message}`);
    }
  }
  return wedged;
}

/** Runs in `cwd` so schemathesis's own cache (.schemathesis/) never lands in the repository. */
function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

// Processes, not schemathesis's worker threads: CPython 3.11's ast.parse is not thread-safe and
// hypothesis calls it while generating ("AST constructor recursion depth mismatch").
const PROCESSES = 3;

/**
 * Measured cost of the heaviest operations (seconds of a run, relative): the policy document is
 * a large schema, so generating its bodies dominates; events and reports come next.
 */
const WEIGHTS: Record<string, number> = { 'POST /v1/policies': 35, 'POST /v1/events': 12, 'POST /v1/discrepancies': 11, 'POST /v1/counts': 4 };

/**
 * Operations (`METHOD /path`) split across the processes so each has about as much to do: a
 * request body means many more generated cases, and a stream holds each request open.
 */
function balancedGroups(spec: Spec): string[][] {
  const ops = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const streams = Object.values(op.responses ?? {}).some((r) => Object.keys(r.content ?? {}).some((t) => t.startsWith('text/event-stream')));
      const name = `${method.toUpperCase()} ${path}`;
      return { name, weight: WEIGHTS[name] ?? (op.requestBody ? 2 : streams ? 8 : 1) };
    }),
  );
  ops.sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name));
  const groups = Array.from({ length: PROCESSES }, () => ({ weight: 0, names: [] as string[] }));
  for (const op of ops) {
    const lightest = groups.reduce((min, g) => (g.weight < min.weight ? g : min));
    lightest.weight += op.weight;
    lightest.names.push(op.name);
  }
  return groups.map((g) => g.names);
}

it('finds no server error, schema violation or non-problem 4xx in any operation', async () => {
  const { port } = server.address() as AddressInfo;
  const { key } = await createApiKey(engine.db, { userId: 'schemathesis', roles: ['admin'], sites: ['*'] });
  const keep = process.env.SCHEMATHESIS_REPORT_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'reckon-schemathesis-'));
  mkdirSync(dir, { recursive: true });
  const spec = (await request(server).get('/openapi.json').expect(200)).body as Spec;
  writeFileSync(join(dir, 'schemathesis.toml'), configFile(spec, await reportCases(`Bearer ${key}`), key));
  const groups = balancedGroups(spec);
  try {
    const runs = await Promise.all(
      groups.map((group, g) =>
        run(
          [
            '--config-file', join(dir, 'schemathesis.toml'),
            'run',
            `http://127.0.0.1:${port}/openapi.json`,
            ...group.flatMap((name) => ['--include-name', name]),
            '--checks', 'all',
            '--max-examples', String(MAX_EXAMPLES),
            '--phases', 'examples,coverage,fuzzing,stateful',
            '--workers', '1',
            // hypothesis's health checks judge the generator (too slow on a busy machine, too
            // many examples filtered for a strict schema), not the API: they only make runs flaky
            '--suppress-health-check', 'all',
            '--request-timeout', '20',
            '--generation-database', 'none',
            '--report', 'junit',
            '--report-junit-path', join(dir, `junit-${g}.xml`),
            '--no-color',
            '--seed', SEED,
          ],
          { SCHEMATHESIS_HOOKS: HOOKS },
          dir,
        ),
      ),
    );
    if (keep) runs.forEach((r, g) => writeFileSync(join(dir, `output-${g}.txt`), r.output));
    const failed = runs.filter((r) => r.code !== 0).map((r) => r.output);
    expect({ failed, serverErrors }).toEqual({ failed: [], serverErrors: [] });
    // every operation was exercised: a spec schemathesis could not load would test nothing and pass
    const operations = Object.values(spec.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    const junit = groups.map((_g, i) => readFileSync(join(dir, `junit-${i}.xml`), 'utf8'));
    const tested = junit.reduce((n, xml) => n + (xml.match(/<testcase name="(?!Stateful tests")/g)?.length ?? 0), 0);
    expect(tested).toBe(operations);
    // the stateful phase ran (it follows the links between operations, e.g. a report to its case's actions)
    expect(junit.some((xml) => xml.includes('<testcase name="Stateful tests"'))).toBe(true);
    expect(await wedgedCases()).toEqual([]);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  // 40 examples of every operation with every check and phase: 2.5 minutes on 2 cores (about 9
  // when four other test runs share them); POST /v1/policies takes the longest
}, 900_000);
