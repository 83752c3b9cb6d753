import { ApiError, type CaseSummary, type SimClient } from './client';
import type { FaultKind, InjectedFault } from './faults';
import { matches } from './scorecard';

/**
 * The reason code an approver who knows what happened gives, by fault kind: codes the scorer
 * maps to the root cause where one fits (docs/scorer-v2.md), else a code that only says the
 * case was real (a duplicated receipt message is none of the causes).
 */
export const REASON_BY_FAULT: Record<FaultKind, string> = {
  short_carton: 'VENDOR_SHORT',
  mis_slot: 'MIS_SLOT',
  unposted_return: 'UNPOSTED',
  pilfering_user: 'THEFT',
  late_transfer: 'IN_TRANSIT',
  duplicate_delivery: 'DUPLICATE_RECEIPT',
  mis_scan: 'MIS_SCAN',
  sync_lag: 'SYNC_LAG',
  expired_lot: 'EXPIRED',
};

export interface ApprovalsRecord {
  approved: number;
  rejected: number;
  /** actions the engine refused (role, four eyes, state) or that failed */
  refused: number;
}

export type Verdict = { action: 'approve'; body: { reasonCode: string; adjustQty?: number; comment: string } } | { action: 'reject'; body: { reasonCode: string; comment: string } };

/**
 * What an approver who knows the ground truth decides: a case some injected fault explains is
 * approved with the fault's reason code — with the proposed adjustment when the fault left the
 * books wrong, with none when they are right (a vendor claim, a chase, a resync); a case no
 * fault explains is a false alarm and is rejected (a count variance as a miscount).
 */
export function verdictFor(c: Pick<CaseSummary, 'kind' | 'site' | 'sku' | 'location' | 'reference' | 'sourceEventIds'>, openedSim: number, faults: InjectedFault[]): Verdict {
  const f = faults.find((x) => matches(c, openedSim, x));
  if (!f) return { action: 'reject', body: { reasonCode: c.kind === 'count_variance' ? 'MISCOUNT' : 'FALSE_ALARM', comment: 'simulated approver: no fault explains this case' } };
  return {
    action: 'approve',
    body: { reasonCode: REASON_BY_FAULT[f.kind], ...(f.needsCorrection ? {} : { adjustQty: 0 }), comment: `simulated approver: ${f.note}` },
  };
}

/**
 * Simulated approvers: each case that comes to wait for approval is decided once, per ground
 * truth, so outcomes are recorded during the run (and scorer v2 learns from them).
 */
export function approverCrew(
  client: SimClient,
  /** the approvers, in turn: the next one acts when segregation of duties refuses the one before */
  people: SimClient[],
  faults: InjectedFault[],
  /** the run's simulated time of a past real instant, as of now */
  timeline: () => (realMs: number) => number,
  running: () => boolean,
  log: (m: string) => void,
) {
  const record: ApprovalsRecord = { approved: 0, rejected: 0, refused: 0 };
  const done = new Set<string>();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const loop = async () => {
    while (running()) {
      try {
        const simOf = timeline();
        for (const c of await client.listCases({ status: 'awaiting_approval' })) {
          if (done.has(c.id) || !running()) continue;
          done.add(c.id);
          const v = verdictFor(c, simOf(Date.parse(c.openedAt)), faults);
          let acted = false;
          for (const person of people) {
            try {
              await person.actOnCase(c.id, v.action, v.body, `sim-${v.action}-${c.id}`);
              acted = true;
              break;
            } catch (err) {
              const refusedForDuties = err instanceof ApiError && err.status === 422 && err.body.includes('took part');
              if (!refusedForDuties) {
                log(`approver: ${v.action} ${c.id}: ${(err as Error).message.slice(0, 200)}`);
                break;
              }
            }
          }
          if (!acted) record.refused++;
          else if (v.action === 'approve') record.approved++;
          else record.rejected++;
        }
      } catch (err) {
        log(`approvers: ${(err as Error).message}`);
      }
      await sleep(2000);
    }
  };
  return { stopped: loop(), record };
}
