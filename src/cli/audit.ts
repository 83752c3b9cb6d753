import { Client, Connection } from '@temporalio/client';
import { verifyAgainstAnchor } from '../audit/anchor';
import { anchorFilePath } from '../audit/anchor-log';
import { anchorNow, checkAnchorInTemporal } from '../audit/schedule';
import { loadConfig, type Config } from '../config';
import { verifyAuditChains } from '../store/audit-repo';
import { createPool } from '../store/db';
import { temporalConnectionOptions } from '../temporal/connection';
import { BadArgs, runCli } from './run';

const USAGE = 'usage: npm run audit -- verify [--case CASE_ID]   (exit 0 holds, 1 differs, 3 not all checked)\n       npm run audit -- anchor';

async function withTemporal<T>(config: Config, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: '5s' });
  try {
    return await fn(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }));
  } finally {
    await connection.close();
  }
}

/** Exit 3: what could be checked holds, but not everything could be checked. */
class IncompleteVerification extends Error {
  readonly exitCode = 3;
}

/**
 * Recomputes every case's hash chain, then holds every chain against the newest anchor of the
 * anchor log (a consistent rewrite of a whole chain shows there) and that anchor against its
 * workflow's history in Temporal. Exit 1 when anything differs, 3 when Temporal could not be asked.
 */
async function verify(config: Config, caseId: string | undefined): Promise<void> {
  const pool = createPool(config.DATABASE_URL, 2);
  try {
    const chains = await verifyAuditChains(pool, caseId);
    const anchored = await verifyAgainstAnchor(pool, anchorFilePath(config));
    let temporal = 'no anchor yet';
    if (anchored.anchor) {
      const record = anchored.anchor;
      temporal = await withTemporal(config, (c) => checkAnchorInTemporal(c, record)).then(
        (problem) => {
          if (problem) anchored.logProblems.push(problem);
          return problem ? 'differs' : 'agrees';
        },
        (err: Error) => `not checked: Temporal unreachable (${err.message})`,
      );
    }
    const anchorProblems = anchored.problems.filter((p) => !caseId || p.caseId === caseId);
    const ok = chains.problemCount === 0 && anchorProblems.length === 0 && anchored.logProblems.length === 0;
    const anchor = anchored.anchor && { anchorId: anchored.anchor.anchorId, at: anchored.anchor.at, root: anchored.anchor.root, chains: anchored.anchor.chains };
    const report = {
      ok,
      ...chains,
      problemCount: chains.problemCount + anchorProblems.length,
      problems: [...chains.problems, ...anchorProblems],
      anchor,
      anchorsInLog: anchored.anchors,
      chainsCheckedAgainstAnchor: anchored.chainsChecked,
      anchorLogProblems: anchored.logProblems,
      temporal,
    };
    // an anchor that could not be held against Temporal is a check not done, not a pass
    const complete = !temporal.startsWith('not checked');
    process.stdout.write(`${JSON.stringify({ ...report, complete }, null, 2)}\n`);
    if (!ok) throw new Error('audit verify: the audit log does not hold (see problems above)');
    if (!complete) throw new IncompleteVerification('audit verify: the chains hold, but the anchor was not checked against Temporal; run it again when Temporal answers');
  } finally {
    await pool.end();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  if (command === 'anchor' && rest.length === 0) {
    const record = await withTemporal(config, (c) => anchorNow(c, config.TEMPORAL_TASK_QUEUE));
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    return;
  }
  if (command !== 'verify') throw new BadArgs(command ? `unknown command ${command}` : 'no command');
  const caseFlag = rest.indexOf('--case');
  const caseId = caseFlag >= 0 ? rest[caseFlag + 1] : undefined;
  if (caseFlag >= 0 && !caseId) throw new BadArgs('--case needs a case id');
  await verify(config, caseId);
}

runCli(main, USAGE);
