import type { Pool } from 'pg';
import type { ItemMaster, LocationMaster, MasterDataPort } from '../../src/adapters/ports';

const optNum = (v: string | null) => (v === null ? undefined : Number(v));

/** The fake's item master (with the ERP's replenishment levels) and location master. */
export function createReferenceMasterData(pool: Pool): MasterDataPort {
  return {
    async getItem(sku): Promise<ItemMaster | null> {
      const { rows } = await pool.query<{
        sku: string; description: string; sku_class: 'A' | 'B' | 'C'; unit_cost: string; uom: string; family: string | null; reorder_point: string | null; safety_stock: string | null;
      }>({ name: 'ledger-item', text: 'SELECT sku, description, sku_class, unit_cost, uom, family, reorder_point, safety_stock FROM ledger.items WHERE sku = $1', values: [sku] });
      const i = rows[0];
      if (!i) return null;
      return {
        sku: i.sku, description: i.description, skuClass: i.sku_class, unitCost: Number(i.unit_cost), uom: i.uom,
        ...(i.family ? { family: i.family } : {}),
        ...(i.reorder_point === null ? {} : { reorderPoint: optNum(i.reorder_point) }),
        ...(i.safety_stock === null ? {} : { safetyStock: optNum(i.safety_stock) }),
      };
    },
    async getLocation(site, location): Promise<LocationMaster | null> {
      const { rows } = await pool.query<{ site: string; location: string; zone: string | null }>('SELECT site, location, zone FROM ledger.locations WHERE site = $1 AND location = $2', [site, location]);
      return rows[0] ? { site: rows[0].site, location: rows[0].location, ...(rows[0].zone ? { zone: rows[0].zone } : {}) } : null;
    },
  };
}
