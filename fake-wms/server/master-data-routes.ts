import { Router } from 'express';
import type { Pool } from 'pg';
import { createReferenceMasterData } from '../ledger/master-data';
import { Refusal } from './problems';

/** Item and location master data from ledger.items / ledger.locations; unknown → 404. */
export function masterDataRoutes(pool: Pool): Router {
  const r = Router();
  const md = createReferenceMasterData(pool);
  r.get('/items/:sku', async (req, res) => {
    const item = await md.getItem(req.params.sku);
    if (!item) throw new Refusal(404, 'item_not_found', `no item ${req.params.sku}`);
    res.json(item);
  });
  r.get('/locations/:site/:location', async (req, res) => {
    const loc = await md.getLocation(req.params.site, req.params.location);
    if (!loc) throw new Refusal(404, 'location_not_found', `no location ${req.params.location} at site ${req.params.site}`);
    res.json(loc);
  });
  return r;
}
