import { execFileSync } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection';
import { ensureSearchAttributes, planSearchAttributes, wantedSearchAttributes } from '../../src/temporal/search-attributes-setup';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../../src/workflows/search-attributes';
import { eventually, uniq } from '../support/engine';

let connection: Connection;
beforeAll(async () => {
  connection = await Connection.connect(temporalConnectionOptions(loadConfig()));
});
afterAll(async () => connection?.close());

it('wants every attribute the workflows set, ReckonBreached included', () => {
  expect(Object.keys(wantedSearchAttributes())).toEqual(Object.keys(SEARCH_ATTRIBUTE_CLI_TYPES));
  expect(Object.keys(SEARCH_ATTRIBUTE_CLI_TYPES)).toContain('ReckonBreached');
});

it('plans only what is missing and refuses a name registered with another type', () => {
  const wanted = wantedSearchAttributes();
  const { ReckonKind, ...others } = wanted;
  const plan = planSearchAttributes({ ...others, ReckonSite: wanted.ReckonEscalationLevel });
  expect(Object.keys(plan.create)).toEqual(['ReckonKind']);
  expect(plan.create.ReckonKind).toBe(ReckonKind);
  expect(plan.conflicts).toEqual([{ name: 'ReckonSite', want: 'Keyword', have: wanted.ReckonEscalationLevel }]);
});

it('registers them in a new namespace once; a second run changes nothing', async () => {
  const namespace = uniq('reckon-sa');
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  const first = await eventually(() => ensureSearchAttributes(connection, namespace));
  expect(Object.keys(first.create).sort()).toEqual(Object.keys(SEARCH_ATTRIBUTE_CLI_TYPES).sort());
  const second = await eventually(async () => {
    const plan = await ensureSearchAttributes(connection, namespace);
    return Object.keys(plan.create).length === 0 ? plan : undefined;
  });
  expect(second.present.sort()).toEqual(Object.keys(SEARCH_ATTRIBUTE_CLI_TYPES).sort());
});

it('the init command (what compose runs) reports them present on the suite server', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', require.resolve('../../src/temporal/search-attributes-main.ts')], {
    env: { ...process.env, TEMPORAL_NAMESPACE: 'default' },
    encoding: 'utf8',
  });
  expect(out).toContain(`already present ${Object.keys(SEARCH_ATTRIBUTE_CLI_TYPES).length}`);
});
