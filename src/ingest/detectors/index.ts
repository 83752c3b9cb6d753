import { countVariance } from './count-variance';
import { drift } from './drift';
import { lotExpiry } from './lot-expiry';
import { misScan } from './mis-scan';
import { negativeInventory } from './negative-inventory';
import { phantomStock } from './phantom-stock';
import { receivingVariance } from './receiving-variance';
import { shrinkPattern } from './shrink-pattern';
import { systemMismatch } from './system-mismatch';
import type { Detector } from './types';

export type { Detector } from './types';

/** Every detector the intake runs, in this order, on every new event. */
export const DETECTORS: readonly Detector[] = [
  countVariance,
  receivingVariance,
  negativeInventory,
  phantomStock,
  systemMismatch,
  misScan,
  shrinkPattern,
  lotExpiry,
  drift,
];
