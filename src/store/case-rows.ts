import { types, type CustomTypesConfig } from 'pg';

/** The `discrepancies` row as the API and the inbox read it (written by case-projection). */

const TIMESTAMPTZ = 1184;
/** timestamptz as Postgres writes it in a UTC session: `2026-12-07 03:01:15.123456+00`. */
const UTC_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?\+00$/;

/**
 * A timestamptz's text as the ISO text the API answers with, the same as pg's Date and its
 * toISOString() (milliseconds, the rest cut off) without building the Date: a list page has six a
 * row. Any other form (a session in another time zone) goes through pg's own parser.
 */
export function isoTimestamp(text: string): string {
  const m = UTC_TIMESTAMP.exec(text);
  if (!m) return (types.getTypeParser(TIMESTAMPTZ, 'text')(text) as Date).toISOString();
  const ms = m[3] === undefined ? 0 : Math.trunc(1000 * parseFloat(m[3]));
  return `${m[1]}T${m[2]}.${String(ms).padStart(3, '0')}Z`;
}

/** pg's parsers, with timestamptz read as ISO text (isoTimestamp): for the queries that read case rows. */
export const CASE_ROW_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ && format !== 'binary' ? isoTimestamp : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

export interface CaseRow {
  id: string;
  workflowId: string;
  dedupeKey: string;
  kind: string;
  site: string;
  sku: string;
  location: string | null;
  reference: { kind: string; id: string; line?: string } | null;
  status: string;
  severity: string | null;
  resolution: string | null;
  ownerRole: string | null;
  assignee: string | null;
  escalationLevel: number;
  breached: boolean;
  slaDeadline: string | null;
  expectedQty: number;
  observedQty: number;
  variance: number;
  unitCost: number;
  valueAtRisk: number;
  skuClass: string;
  source: string;
  occurrences: number;
  sourceEventIds: string[];
  policyVersion: number | null;
  scorerVersion: string | null;
  confidence: number | null;
  priority: number | null;
  /** triage priority (src/domain/triage.ts); null until the case is first projected with it */
  triageScore: number | null;
  triageBand: string | null;
  triage: unknown;
  /** shadow mode: decided and recorded, nothing written to the systems of record */
  shadow: boolean;
  explanation: string | null;
  detectedAt: string;
  openedAt: string;
  firstActionAt: string | null;
  closedAt: string | null;
  rowVersion: number;
  updatedAt: string;
}

export interface CaseDetailRow extends CaseRow {
  score: unknown;
  evidence: unknown;
  decision: unknown;
  /** the case's state as last recorded (without evidence and score); null for rows recorded before it was kept */
  state: Record<string, unknown> | null;
  /** every source event id the case has had (the state and sourceEventIds keep the latest) */
  sourceEventCount: number;
}

export const LIST_COLUMNS = `id, workflow_id, dedupe_key, kind, site, sku, location, reference, status, severity, resolution,
  owner_role, assignee, escalation_level, breached, sla_deadline, expected_qty, observed_qty, variance, unit_cost,
  value_at_risk, sku_class, source, occurrences, source_event_ids, policy_version, scorer_version, confidence,
  priority, triage_score, triage_band, triage, explanation, detected_at, opened_at, first_action_at, closed_at, row_version, updated_at, shadow`;

/** A `discrepancies` row as pg returns it read with CASE_ROW_TYPES: numeric as text, timestamptz as ISO text. */
export interface DbRow {
  id: string;
  workflow_id: string;
  dedupe_key: string;
  kind: string;
  site: string;
  sku: string;
  location: string | null;
  reference: CaseRow['reference'];
  status: string;
  severity: string | null;
  resolution: string | null;
  owner_role: string | null;
  assignee: string | null;
  escalation_level: number;
  breached: boolean;
  sla_deadline: string | null;
  expected_qty: string;
  observed_qty: string;
  variance: string;
  unit_cost: string;
  value_at_risk: string;
  sku_class: string;
  source: string;
  occurrences: number;
  source_event_ids: string[];
  policy_version: number | null;
  scorer_version: string | null;
  confidence: string | null;
  priority: number | null;
  triage_score: string | null;
  triage_band: string | null;
  triage: unknown;
  shadow?: boolean;
  explanation: string | null;
  detected_at: string;
  opened_at: string;
  first_action_at: string | null;
  closed_at: string | null;
  row_version: number;
  updated_at: string;
  score?: unknown;
  evidence?: unknown;
  decision?: unknown;
  sort_value?: string | null;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

export function toCase(r: DbRow): CaseRow {
  return {
    id: r.id,
    workflowId: r.workflow_id,
    dedupeKey: r.dedupe_key,
    kind: r.kind,
    site: r.site,
    sku: r.sku,
    location: r.location,
    reference: r.reference,
    status: r.status,
    severity: r.severity,
    resolution: r.resolution,
    ownerRole: r.owner_role,
    assignee: r.assignee,
    escalationLevel: r.escalation_level,
    breached: r.breached,
    slaDeadline: r.sla_deadline,
    expectedQty: Number(r.expected_qty),
    observedQty: Number(r.observed_qty),
    variance: Number(r.variance),
    unitCost: Number(r.unit_cost),
    valueAtRisk: Number(r.value_at_risk),
    skuClass: r.sku_class,
    source: r.source,
    occurrences: r.occurrences,
    sourceEventIds: r.source_event_ids,
    policyVersion: r.policy_version,
    scorerVersion: r.scorer_version,
    confidence: num(r.confidence),
    priority: r.priority,
    triageScore: num(r.triage_score ?? null),
    triageBand: r.triage_band ?? null,
    triage: r.triage ?? null,
    shadow: r.shadow === true,
    explanation: r.explanation,
    detectedAt: r.detected_at,
    openedAt: r.opened_at,
    firstActionAt: r.first_action_at,
    closedAt: r.closed_at,
    rowVersion: r.row_version,
    updatedAt: r.updated_at,
  };
}

/** What a row of the inbox's queue shows (src/web/queue-page.ts). */
export type QueueRow = Pick<
  CaseRow,
  'id' | 'kind' | 'site' | 'sku' | 'location' | 'status' | 'severity' | 'ownerRole' | 'assignee' | 'slaDeadline' | 'variance' | 'valueAtRisk' | 'priority'
>;

/** The queue's columns: a page reads these 13 rather than the case's 40 (the queue sorts by sla_deadline, which is among them). */
export const QUEUE_COLUMNS = 'id, kind, site, sku, location, status, severity, owner_role, assignee, sla_deadline, variance, value_at_risk, priority';

/** A row of QUEUE_COLUMNS as pg returns it with CASE_ROW_TYPES. */
export type QueueDbRow = Pick<DbRow, 'id' | 'kind' | 'site' | 'sku' | 'location' | 'status' | 'severity' | 'owner_role' | 'assignee' | 'sla_deadline' | 'variance' | 'value_at_risk' | 'priority' | 'sort_value'>;

export function toQueueRow(r: QueueDbRow): QueueRow {
  return {
    id: r.id,
    kind: r.kind,
    site: r.site,
    sku: r.sku,
    location: r.location,
    status: r.status,
    severity: r.severity,
    ownerRole: r.owner_role,
    assignee: r.assignee,
    slaDeadline: r.sla_deadline,
    variance: Number(r.variance),
    valueAtRisk: Number(r.value_at_risk),
    priority: r.priority,
  };
}
