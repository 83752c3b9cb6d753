/**
 * Triage priority (docs/triage.md): how urgently people should look at a case, from what it puts at
 * stake — value at risk × SKU velocity × customer impact. Pure; the projection step gathers the
 * inputs and stores the result on the read-model row.
 */
import { formatMoney } from './money';

export const TRIAGE_VERSION = 'triage-v1';

export const TRIAGE_BANDS = ['P1', 'P2', 'P3', 'P4'] as const;
export type TriageBand = (typeof TRIAGE_BANDS)[number];

/** Lowest score of each band; below the last is P4. One band per decade of the product. */
export const BAND_FLOORS: Readonly<Record<Exclude<TriageBand, 'P4'>, number>> = { P1: 50, P2: 40, P3: 30 };

/** The window SKU velocity is averaged over, in days. */
export const VELOCITY_WINDOW_DAYS = 30;

export interface TriageInput {
  /** absolute variance at unit cost */
  valueAtRisk: number;
  /** units leaving the site per day (picks, shipments, sales, transfers out), averaged over the window */
  velocityPerDay: number;
  /** distinct open customer orders (allocations, reservations) for the SKU at the site */
  openOrders: number;
  /** units those orders still need */
  reservedQty: number;
  /** the case's effect on the sku's availability at the site, when its replenishment levels are known */
  availability?: AvailabilityInput;
}

/**
 * Stock at risk: available stock (on hand less what open orders still need) before and after
 * the case's correction, against the sku's reorder point and safety stock (the ERP's, else the
 * policy's days of cover at the sku's velocity).
 */
export interface AvailabilityInput {
  availableBefore: number;
  /** signed units the correction books (observed − expected) */
  correction: number;
  reorderPoint: number;
  safetyStock: number;
  source: 'erp' | 'policy';
}

export interface Availability extends AvailabilityInput {
  availableAfter: number;
  /** the correction moves available stock across the reorder point: replenishment planned on the books is wrong */
  crossesReorderPoint: boolean;
  belowSafetyStock: boolean;
  /** points added to the priority */
  raise: number;
}

/** A loss that crosses the reorder point raises a case one band; one that also breaks safety stock, two. */
export const REORDER_RAISE = 10;
export const SAFETY_STOCK_RAISE = 20;

export function availabilityEffect(a: AvailabilityInput): Availability {
  const after = round(a.availableBefore + a.correction, 3);
  const crosses = (a.availableBefore >= a.reorderPoint) !== (after >= a.reorderPoint);
  const belowSafety = after < a.safetyStock && a.availableBefore >= a.safetyStock;
  const loss = a.correction < 0;
  const raise = loss && crosses ? (belowSafety ? SAFETY_STOCK_RAISE : REORDER_RAISE) : loss && belowSafety ? REORDER_RAISE : 0;
  return { ...a, availableAfter: after, crossesReorderPoint: crosses, belowSafetyStock: after < a.safetyStock, raise };
}

function availabilitySentence(a: Availability): string {
  const levels = `reorder point ${round(a.reorderPoint, 1)}, safety stock ${round(a.safetyStock, 1)} (${a.source === 'erp' ? 'from the ERP' : 'policy days of cover'})`;
  const move = `the correction takes available stock from ${round(a.availableBefore, 3)} to ${a.availableAfter}`;
  if (a.raise > 0) return `; ${move}, below the ${a.belowSafetyStock ? 'safety stock' : 'reorder point'} (${levels}): replenishment on the books is wrong, raised ${a.raise / 10} band${a.raise > 10 ? 's' : ''}`;
  if (a.crossesReorderPoint) return `; ${move}, back above the reorder point (${levels}): the books would replenish stock that is there`;
  return '';
}

export interface Triage {
  version: string;
  /** 0–100: ten times the decimal log of the product below */
  score: number;
  band: TriageBand;
  valueAtRisk: number;
  velocityPerDay: number;
  openOrders: number;
  reservedQty: number;
  /** the case's effect on availability, when known */
  availability?: Availability;
  explanation: string;
}

const finiteNonNegative = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);
const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function bandOf(score: number): TriageBand {
  if (score >= BAND_FLOORS.P1) return 'P1';
  if (score >= BAND_FLOORS.P2) return 'P2';
  if (score >= BAND_FLOORS.P3) return 'P3';
  return 'P4';
}

/**
 * priority = value × (1 + velocity) × (1 + open orders), normalised as 10·log10(1 + priority)
 * and capped at 100. The "1 +" keeps a slow SKU or one nobody ordered from zeroing the value
 * at risk; the log makes each factor of ten one step of ten points, so the bands read as
 * decades: $1,000 at risk on stock that does not move is P3, the same on a SKU moving 9 a day
 * P2, and with 9 customers waiting P1. No value at risk is P4 whatever else.
 */
export function triagePriority(input: TriageInput): Triage {
  const value = finiteNonNegative(input.valueAtRisk);
  const velocity = finiteNonNegative(input.velocityPerDay);
  const orders = Math.floor(finiteNonNegative(input.openOrders));
  const reserved = finiteNonNegative(input.reservedQty);
  const product = value * (1 + velocity) * (1 + orders);
  const availability = input.availability ? availabilityEffect(input.availability) : undefined;
  // no value at risk stays P4: a zero-cost sku's reorder point is no one's money
  const raise = value > 0 ? (availability?.raise ?? 0) : 0;
  const score = Math.min(100, round(10 * Math.log10(1 + product) + raise, 1));
  const band = bandOf(score);
  const money = formatMoney(value);
  const demand = orders === 0 ? 'no open orders' : `${orders} open order${orders === 1 ? '' : 's'} waiting for ${round(reserved, 3)} units`;
  return {
    version: TRIAGE_VERSION,
    score,
    band,
    valueAtRisk: round(value, 2),
    velocityPerDay: round(velocity, 3),
    openOrders: orders,
    reservedQty: round(reserved, 3),
    ...(availability ? { availability } : {}),
    explanation: `${band}: ${money} at risk, the SKU moves ${round(velocity, 1)} units a day, ${demand}${availability ? availabilitySentence(availability) : ''}`,
  };
}
