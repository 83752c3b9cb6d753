import type { DiscrepancyReport, Process } from './discrepancy';

/** Which process's tolerance applies when the report does not say. */
export function processOf(report: Pick<DiscrepancyReport, 'kind' | 'process'>): Process {
  if (report.process) return report.process;
  switch (report.kind) {
    case 'receiving_variance':
      return 'receiving';
    case 'count_variance':
      return 'counting';
    case 'phantom_stock':
    case 'mis_scan':
      return 'picking';
    case 'return_unposted':
      return 'returns';
    case 'transfer_delay':
      return 'transfers';
    default:
      return 'general';
  }
}

/**
 * Quantities rounded to a millionth of a unit: fractional units of measure (KG, L) must compare
 * equal when they are equal (10.3 − 10 is 0.3, not 0.30000000000000071).
 */
export function roundQty(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

export function varianceOf(r: Pick<DiscrepancyReport, 'expectedQty' | 'observedQty'>): number {
  return roundQty(r.observedQty - r.expectedQty);
}

/** Value at risk: absolute variance at unit cost, rounded to cents. */
export function valueAtRisk(variance: number, unitCost: number): number {
  return Math.round(Math.abs(variance) * unitCost * 100) / 100;
}
