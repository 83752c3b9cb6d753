import type { DiscrepancyReportInput, InventoryEvent } from '../../domain';
import type { Features } from '../features/types';

/**
 * A detector: a named, versioned rule over one event and the features as they stood before it.
 * Pure — the same event and features give the same reports — so it is unit-tested without a
 * database, and its name and version are recorded with every detection.
 */
export interface Detector {
  name: string;
  version: string;
  /**
   * Findings that only count if they persist: the intake hands them to a settling watch that
   * re-checks after the policy's window instead of opening a case at once (system_mismatch).
   */
  settles?: boolean;
  onEvent(event: InventoryEvent, features: Features): DiscrepancyReportInput[];
}
