import { createReferenceLedger, loadFixture, parseFixture } from '../../fake-wms/ledger';
import { loadConfig } from '../../src/config';
import { createPool } from '../../src/store/db';
import { runAdapterContract } from './adapter-contract';

/** The same contract against the reference ledger in-process: the HTTP layer must change nothing. */
runAdapterContract(
  'reference ledger in-process',
  async () => {
    const pool = createPool(loadConfig().DATABASE_URL, 10);
    return {
      ...createReferenceLedger(pool),
      seed: async (fixture) => {
        await loadFixture(pool, parseFixture(fixture));
      },
      close: () => pool.end(),
    };
  },
  { masterData: false },
);
