import { Router } from 'express';
import type { Pool } from 'pg';
import { Refusal } from './problems';

/** Item and location master data from ledger.items / ledger.locations; unknown → 404. */
export function masterDataRoutes(pool: Pool): Router {
  const r = Router();
  r.get('/items/:sku', async (req, res) => {
    const { rows } = await pool.query<{ sku: string; description: string; sku_class: 'A' | 'B' | 'C'; unit_cost: string; uom: string }>(
      'SELECT sku, description, sku_class, unit_cost, uom FROM ledger.items WHERE sku = $1',
      [req.params.sku],
    );
    if (!rows[0]) throw new Refusal(404, 'item_not_found', `no item ${req.params.sku}`);
    const i = rows[0];
    res.json({ sku: i.sku, description: i.description, skuClass: i.sku_class, unitCost: Number(i.unit_cost), uom: i.uom });
  });
  r.get('/locations/:site/:location', async (req, res) => {
    const { rows } = await pool.query<{ site: string; location: string; zone: string | null }>(
      'SELECT site, location, zone FROM ledger.locations WHERE site = $1 AND location = $2',
      [req.params.site, req.params.location],
    );
    if (!rows[0]) throw new Refusal(404, 'location_not_found', `no location ${req.params.location} at site ${req.params.site}`);
    res.json({ site: rows[0].site, location: rows[0].location, zone: rows[0].zone ?? undefined });
  });
  return r;
}
