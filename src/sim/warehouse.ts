import type { SkuClass } from '../domain';
import type { Prng } from './prng';

/** The shape of the simulated warehouse network; the defaults make a small two-site network. */
export interface WarehouseShape {
  sites: number;
  /** skus stocked at every site */
  skus: number;
  /** storage zones per site (A, B, C, …), each with aisles × levels bins */
  zones: number;
  /** customer orders per site and day (1–3 lines each) */
  ordersPerDay: number;
  /** users per role and shift at each site */
  pickersPerShift: number;
  /** site names get this prefix (a run tag, so runs against a shared engine do not mix) */
  sitePrefix: string;
}

export const DEFAULT_SHAPE: WarehouseShape = { sites: 2, skus: 60, zones: 4, ordersPerDay: 70, pickersPerShift: 3, sitePrefix: '' };

export interface SimSku {
  sku: string;
  skuClass: SkuClass;
  unitCost: number;
  /** units per carton: ASN lines are whole cartons */
  pack: number;
  /** relative share of order lines */
  velocity: number;
  /** units per order line, at most */
  maxLineQty: number;
  /** lot-controlled (food, pharma): every receipt carries a lot and an expiry date */
  lotControlled: boolean;
}

export type Role = 'receiver' | 'picker' | 'counter' | 'clerk';

export interface SimUser {
  userId: string;
  deviceId: string;
  shift: 'A' | 'B';
  role: Role;
}

export interface SimSite {
  site: string;
  zones: string[];
  /** the receiving dock and the returns bench */
  dock: string;
  returnsBin: string;
  /** each sku's pick face */
  home: Map<string, string>;
  /** every storage bin, by zone */
  binsByZone: Map<string, string[]>;
  users: SimUser[];
}

export interface Warehouse {
  sites: SimSite[];
  skus: SimSku[];
  bySku: Map<string, SimSku>;
}

/** Shifts in UTC hours: A 06–14, B 14–22; nobody works at night. */
export const SHIFTS = { A: { from: 6, to: 14 }, B: { from: 14, to: 22 } } as const;

export function shiftAt(hourUtc: number): 'A' | 'B' | null {
  if (hourUtc >= SHIFTS.A.from && hourUtc < SHIFTS.A.to) return 'A';
  if (hourUtc >= SHIFTS.B.from && hourUtc < SHIFTS.B.to) return 'B';
  return null;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * ABC classes by value: 20 % of skus are A (costly, fast), 30 % B, 50 % C (cheap, slow), as
 * in a Pareto-shaped assortment. About one sku in six is lot-controlled.
 */
function makeSkus(rng: Prng, n: number): SimSku[] {
  const out: SimSku[] = [];
  for (let i = 0; i < n; i++) {
    const r = i / n;
    const skuClass: SkuClass = r < 0.2 ? 'A' : r < 0.5 ? 'B' : 'C';
    const unitCost = skuClass === 'A' ? round2(rng.range(40, 320)) : skuClass === 'B' ? round2(rng.range(8, 60)) : round2(rng.range(0.5, 12));
    const velocity = skuClass === 'A' ? rng.range(3, 6) : skuClass === 'B' ? rng.range(1.5, 3) : rng.range(0.5, 1.5);
    out.push({
      sku: `SKU-${1001 + i}`,
      skuClass,
      unitCost,
      pack: rng.pick([6, 12, 12, 24]),
      velocity,
      maxLineQty: skuClass === 'C' ? rng.int(3, 8) : rng.int(2, 6),
      lotControlled: i % 6 === 5,
    });
  }
  return out;
}

/** Builds the network: sites with zones of bins, a pick face per sku, users per role and shift. */
export function buildWarehouse(rng: Prng, shape: WarehouseShape): Warehouse {
  const skus = makeSkus(rng.fork('skus'), shape.skus);
  const zoneNames = Array.from({ length: shape.zones }, (_, i) => String.fromCharCode(65 + i));
  const sites: SimSite[] = [];
  for (let s = 1; s <= shape.sites; s++) {
    const site = `${shape.sitePrefix}DC${s}`;
    const binsByZone = new Map<string, string[]>();
    const perZone = Math.ceil((skus.length * 1.25) / zoneNames.length);
    const aisles = Math.max(1, Math.ceil(perZone / 6));
    for (const z of zoneNames) {
      const bins: string[] = [];
      for (let a = 1; a <= aisles; a++) for (let l = 1; l <= 6; l++) bins.push(`${z}-${String(a).padStart(2, '0')}-${String(l).padStart(2, '0')}`);
      binsByZone.set(z, bins);
    }
    const free = rng.fork(`slots-${s}`).shuffle([...binsByZone.values()].flat());
    const home = new Map<string, string>();
    skus.forEach((k, i) => home.set(k.sku, free[i]));
    const users: SimUser[] = [];
    const add = (role: Role, shift: 'A' | 'B', n: number) => {
      for (let i = 1; i <= n; i++) {
        const userId = `${site}-${role.slice(0, 3)}${shift}${i}`.toLowerCase();
        users.push({ userId, deviceId: `RF-${userId}`, shift, role });
      }
    };
    for (const shift of ['A', 'B'] as const) {
      add('receiver', shift, 2);
      add('picker', shift, shape.pickersPerShift);
      add('counter', shift, 1);
      add('clerk', shift, 1);
    }
    sites.push({ site, zones: zoneNames, dock: 'RCV-01', returnsBin: 'RET-01', home, binsByZone, users });
  }
  return { sites, skus, bySku: new Map(skus.map((k) => [k.sku, k])) };
}
