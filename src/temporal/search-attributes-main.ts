import { Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { TemporalConnectionConfigError, temporalConnectionOptions } from './connection';
import { ensureSearchAttributes } from './search-attributes-setup';

/**
 * `npx tsx src/temporal/search-attributes-main.ts`: registers Reckon's search attributes on the
 * configured cluster and namespace, waiting for the server to come up (compose's init step).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const deadline = Date.now() + 120_000;
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: '5s' });
      try {
        const plan = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
        const created = Object.keys(plan.create);
        console.log(`search attributes in ${config.TEMPORAL_NAMESPACE}: created ${created.length ? created.join(', ') : 'none'}; already present ${plan.present.length}`);
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      const message = (err as Error).message;
      // a bad setting or a type conflict will not fix itself; an unreachable or starting server may
      if (err instanceof TemporalConnectionConfigError || /another type/.test(message) || Date.now() > deadline) throw err;
      console.error(`attempt ${attempt}: ${message}; retrying`);
      await new Promise((r) => setTimeout(r, Math.min(1000 * attempt, 5000)));
    }
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
