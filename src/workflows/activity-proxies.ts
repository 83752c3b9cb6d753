import { proxyActivities, proxyLocalActivities, type ActivityInterfaceFor, type ActivityOptions, type LocalActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { WRITE_BASIS_CHANGED } from '../domain/core';

/**
 * Activity proxies, one per kind of call, each with an explicit timeout and retry policy.
 * Evidence: few attempts, because missing evidence is recorded, not fatal.
 * Writes and records: retried until they land, since losing one would lose a decision.
 */
const BUSINESS: readonly string[] = ['AdapterRejection'];

/** Options of each kind of call, shared by its regular and its local proxy (same timeouts, same retries). */
type CallOptions = Pick<ActivityOptions, 'startToCloseTimeout' | 'scheduleToCloseTimeout' | 'retry' | 'summary'>;
const WMS_EVIDENCE: CallOptions = {
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '45s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 3, nonRetryableErrorTypes: [...BUSINESS] },
  summary: 'evidence from the WMS',
};
const ERP_EVIDENCE: CallOptions = {
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3, nonRetryableErrorTypes: [...BUSINESS] },
  summary: 'evidence from the ERP',
};
const RECKON_EVIDENCE: CallOptions = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 3 },
  summary: 'prior cases from the read model',
};
const RECORDS: CallOptions = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
  summary: 'read model and audit log',
};
const SCORING: CallOptions = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
  summary: 'score the evidence',
};

export const wmsEvidence = described(proxyActivities<Activities>(WMS_EVIDENCE));
export const erpEvidence = described(proxyActivities<Activities>(ERP_EVIDENCE));
export const reckonEvidence = described(proxyActivities<Activities>(RECKON_EVIDENCE));

/**
 * Writes: retried with backoff for about ten minutes (an outage, a restart), then the case goes to
 * a person (needs_attention) rather than retrying for ever. The adapter makes one attempt per
 * activity (Temporal's retries are the only retry layer) and finishes well inside the timeout.
 */
const WRITES: CallOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 15, nonRetryableErrorTypes: [...BUSINESS, 'RemoteContractViolation'] },
  summary: 'write to the system of record',
};
export const writes = described(proxyActivities<Activities>(WRITES));

/** Notifications: a channel that fails must never hold a case up; after a few tries the failure is recorded. */
export const notifications = described(proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: [...BUSINESS] },
  summary: 'notify people',
}));

export const records = described(proxyActivities<Activities>(RECORDS));
export const scoring = described(proxyActivities<Activities>(SCORING));

/**
 * The same reads, records and scoring as local activities: run by the worker inside the workflow
 * task, with no activity task for Temporal to schedule, dispatch and complete. For what is Reckon's
 * own (its store, the policy, scoring) and what only reads (evidence). Writes to the WMS/ERP are
 * regular activities, so the evidence and decision behind one are in the history before it runs;
 * except an automatic correction (localWrites), whose basis is kept in Reckon's store before it
 * goes out. Same options as their regular proxies; every record is idempotent by sequence.
 */
export const localWmsEvidence = described(proxyLocalActivities<Activities>(WMS_EVIDENCE));
export const localErpEvidence = described(proxyLocalActivities<Activities>(ERP_EVIDENCE));
export const localReckonEvidence = described(proxyLocalActivities<Activities>(RECKON_EVIDENCE));
/**
 * Every evidence source in one local activity, tried once: a source that fails there is asked
 * again through its own proxy above, with that source's retries (EVIDENCE_IN_ONE_READ_PATCH).
 * Also a new case's opening read (policy pin, evidence, score: LEAN_CASE_PATCH), whose steps
 * are taken one at a time with their own retries if it fails.
 */
export const localEvidenceReads = described(
  proxyLocalActivities<Activities>({ startToCloseTimeout: '15s', retry: { maximumAttempts: 1 }, summary: 'evidence from the WMS, the ERP and Reckon' }),
);
export const localRecords = described(proxyLocalActivities<Activities>(RECORDS));
/**
 * An automatic correction in the task that decided it (AUTO_RESOLVE_IN_ONE_TASK_PATCH), tried
 * once: a failure that may pass is retried as a regular write (`writes`), whose attempts and last
 * failure operations see in the Temporal UI.
 */
export const localWrites = described(proxyLocalActivities<Activities>({ ...WRITES, retry: { maximumAttempts: 1 } }));

/** Failures no retry of a write gets past: a refusal, a broken contract, another basis kept first. */
export const FINAL_WRITE_FAILURES: readonly string[] = [...WRITES.retry!.nonRetryableErrorTypes!, WRITE_BASIS_CHANGED];
export const localScoring = described(proxyLocalActivities<Activities>(SCORING));

type Summaries = { [K in keyof Activities]?: (...args: Parameters<Activities[K]>) => string };

/** An adjustment as the UI names it: its sign, its target, its reason, its stock. */
function adjustment(c: Parameters<Activities['postAdjustment']>[0]): string {
  return `adjustment ${c.qty > 0 ? '+' : ''}${c.qty} to ${c.target === 'erp' ? 'the ERP' : 'WMS and ERP'} (${c.reasonCode}): ${where(c)}`;
}

function where(k: { site: string; sku: string; location?: string }): string {
  return `${k.site} ${k.sku}${k.location ? ` @${k.location}` : ''}`;
}

/**
 * What each call is, for the Temporal UI's event history (its summary): the proxy's summary
 * says which kind of call, this one which source or write and for what stock. Summaries are
 * user metadata, not part of the commands compared on replay.
 */
const SUMMARIES: Summaries = {
  fetchWmsBalance: (k) => `WMS balance: ${where(k)}`,
  fetchRecentTransactions: (k) => `WMS recent transactions: ${where(k)}`,
  fetchRecentAdjustments: (k) => `WMS recent adjustments and who made them: ${where(k)}`,
  fetchCountHistory: (k) => `WMS count history: ${where(k)}`,
  fetchReturnsPending: (k) => `WMS returns without disposition: ${where(k)}`,
  fetchErpOnHand: (k) => `ERP on-hand: ${where(k)}`,
  fetchOpenAllocations: (k) => `ERP open allocations: ${where(k)}`,
  fetchInboundDocuments: (q) => `ERP inbound documents (PO, ASN, receipts): ${where(q.key)}${q.reference ? ` for ${q.reference.kind} ${q.reference.id}` : ''}`,
  fetchTransfersInTransit: (k) => `ERP transfers in transit: ${where(k)}`,
  findPriorCases: () => 'Reckon: prior cases with this key or these source events',
  readEvidence: (q) => `every evidence source at once: ${where(q.key)}${q.reference ? ` for ${q.reference.kind} ${q.reference.id}` : ''}`,
  readOpening: (q) => `pin the policy, read every evidence source, score: ${where(q.key)}${q.reference ? ` for ${q.reference.kind} ${q.reference.id}` : ''}`,
  postAutoAdjustment: ({ command }) => `WRITE automatic ${adjustment(command)}`,
  postAutoAdjustmentAndClose: ({ command }) => `WRITE automatic ${adjustment(command)}, then record the close`,
  keptWriteBasis: () => 'Reckon: what an earlier attempt of this task wrote on',
  postAdjustment: (c) => `WRITE ${adjustment(c)}`,
  placeHold: (c) => `WRITE hold of ${c.qty}: ${where(c)}`,
  releaseHold: (c) => `WRITE release of hold ${c.holdId}`,
  createCountTask: (c) => `WRITE count task: ${where(c)}`,
  notifyRole: (n) => `notify ${n.role} at ${n.site}`,
  pinPolicy: (site) => `pin the active policy version${site ? ` at ${site}` : ''}`,
  loadPolicyVersion: (v, site) => `load policy version ${v}${site ? ` at ${site}` : ''}`,
  recordTransition: (r) => `record "${r.state.status}" in the read model and audit log`,
  scoreCase: (i) => `score the evidence (${i.recounts.length} recount${i.recounts.length === 1 ? '' : 's'})`,
};

/** The proxy, with each call carrying its own summary (and the proxy's options otherwise). */
function described<P extends ActivityInterfaceFor<Activities> | LocalActivityInterfaceFor<Activities>>(proxy: P): P {
  return new Proxy(proxy, {
    get(target, name, receiver) {
      const fn: unknown = Reflect.get(target, name, receiver);
      const describe = SUMMARIES[name as keyof Activities] as ((...args: unknown[]) => string) | undefined;
      if (!describe || typeof fn !== 'function') return fn;
      const activity = fn as unknown as { executeWithOptions(o: { summary: string }, args: unknown[]): Promise<unknown> };
      const call = (...args: unknown[]) => activity.executeWithOptions({ summary: describe(...args).slice(0, 200) }, args);
      return Object.assign(call, { executeWithOptions: activity.executeWithOptions });
    },
  });
}
