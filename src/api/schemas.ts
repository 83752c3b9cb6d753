import { z } from 'zod';
import { CASE_STATUSES, CaseId, CountTaskId, DiscrepancyKind, Instant, PolicyDocument, Severity, SiteId, Sku, UserId } from '../domain';
import { csvList, Cursor } from './query-list';
import { TRIAGE_BANDS } from '../domain/triage';
import { CASE_SORTS } from '../store/discrepancy-queries';

/**
 * Request schemas of the HTTP API. Handlers validate with them and /openapi.json is generated
 * from them, so the spec cannot drift from what the API accepts.
 */

/**
 * Free text that is not blank, trimmed. "Not blank" is a pattern (the characters String.trim
 * removes, spelled out so JavaScript and the document's readers agree on them), so the OpenAPI
 * document states it: a blank comment is refused as the document says, never a surprise.
 */
const NOT_BLANK = /[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const text = (max: number) => z.string().max(max).regex(NOT_BLANK, 'must not be blank').trim();
const reasonCode = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits and _ . - only');
export { CaseId };

/** A role as policies name them (owner of a rung of the ladder). */
export const RoleName = z.string().min(1).max(48).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _ . - only');

export const ApproveBody = z
  .object({
    /** the adjustment to post; defaults to the variance now in force */
    adjustQty: z
      .number()
      .finite()
      .min(-1e9)
      .max(1e9)
      .optional()
      .describe(
        'the adjustment to post (default: the variance in force). It must stay within the variance (same direction, no larger) unless the policy sets approval.adjustCap, and then only up to the cap with a comment saying why; else 422 adjust_qty. The approval limit and the four-eyes threshold judge |adjustQty| × unit cost.',
      ),
    reasonCode,
    comment: text(2000).optional(),
  })
  .strict();

/** POST /v1/policies: the new document and why it is made (kept with the version and audited). */
export const PolicyChangeBody = PolicyDocument.extend({ reason: text(2000).describe('why this version is made: kept with it and in the audit log') });

export const PolicyDiff = z.object({
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(
    z.object({ path: z.string(), op: z.enum(['added', 'removed', 'changed']), from: z.unknown().optional(), to: z.unknown().optional() }),
  ),
});

export const RejectBody = z.object({ reasonCode, comment: text(2000) }).strict();
export const RecountBody = z.object({ comment: text(2000).optional() }).strict();
export const AssignBody = z.object({ assignee: UserId }).strict();
export const CommentBody = z.object({ text: text(4000) }).strict();
/** needs_attention: run the refused write again */
export const RetryBody = z.object({ comment: text(2000).optional() }).strict();
/** needs_attention: settled outside Reckon; the comment says what was done */
export const ResolveManuallyBody = z.object({ reasonCode, comment: text(2000) }).strict();
/** admin: move an open case to another stored policy version */
export const RepinBody = z.object({ version: z.number().int().min(1).max(1_000_000_000), reason: text(500) }).strict();
export const RepinBatchBody = RepinBody.extend({
  caseIds: z.array(CaseId).min(1).max(200),
}).strict();

export const CountResultBody = z
  .object({
    taskId: CountTaskId,
    countedQty: z.number().finite().min(0).max(1e9),
    countedBy: UserId,
    countedAt: Instant.optional(),
    /** the WMS's quantity at the bin when counted, if the WMS reports it (else the reference ledger's at that moment) */
    bookQty: z.number().finite().min(-1e9).max(1e9).optional(),
  })
  .strict();

export const ListQuery = z
  .object({
    status: csvList(z.enum(CASE_STATUSES)).optional(),
    kind: csvList(DiscrepancyKind).optional(),
    severity: csvList(Severity).optional(),
    site: csvList(SiteId).optional(),
    sku: Sku.optional(),
    ownerRole: RoleName.optional(),
    assignee: UserId.optional(),
    breached: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    /** shadow-mode cases only (true), or cases Reckon acted on (false) */
    shadow: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    band: csvList(z.enum(TRIAGE_BANDS)).optional(),
    sort: z.enum(CASE_SORTS).default('-openedAt'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: Cursor.optional(),
  })
  .strict();
export type ListQuery = z.output<typeof ListQuery>;

export const PolicyVersionParam = z.coerce.number().int().min(1).max(1_000_000_000);
export const EffectivePolicyQuery = z
  .object({
    site: SiteId.describe('the site whose override layer is merged over the global policy'),
    version: PolicyVersionParam.optional().describe('a stored version (default: the active one)'),
  })
  .strict();
/** GET /v1/policies/effective: the policy as it applies at a site, and for each value the layer it came from. */
export const EffectivePolicy = z.object({
  version: z.number().int(),
  site: z.string(),
  layer: z.string().nullable().describe('the site whose overrides were merged; null: the site has none'),
  document: PolicyDocument,
  sources: z.record(z.string(), z.string()).describe('dotted path of each value (arrays as one value) → "global" or "site:<site>"'),
});

// Response shapes, for the spec.
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  instance: z.string().optional(),
  correlationId: z.string().optional(),
});

export const AcceptedCase = z.object({
  id: z.string(),
  workflowId: z.string(),
  status: z.literal('accepted'),
  links: z.record(z.string(), z.string()),
});

export const UpdateResultSchema = z.object({
  status: z.enum(CASE_STATUSES),
  outcome: z.string(),
  approvalsGiven: z.number().int(),
  approvalsRequired: z.number().int(),
});

export const CaseSummary = z.looseObject({
  id: z.string(),
  workflowId: z.string(),
  kind: DiscrepancyKind,
  site: z.string(),
  sku: z.string(),
  status: z.enum(CASE_STATUSES),
  severity: Severity.nullable(),
  valueAtRisk: z.number(),
  openedAt: z.string(),
  shadow: z.boolean().describe('shadow mode: decided and recorded, nothing written to the systems of record'),
});

export const CasePage = z.object({ items: z.array(CaseSummary), nextCursor: z.string().nullable(), limit: z.number().int() });

export const CaseDetail = CaseSummary.extend({
  live: z.unknown().nullable(),
  liveError: z.string().optional(),
  evidence: z.unknown().nullable(),
  score: z.unknown().nullable(),
  explanation: z.string().nullable(),
  rootCauses: z
    .array(z.object({ cause: z.string(), probability: z.number() }))
    .describe('scorer v2: probabilities over the root causes, most likely first; empty when scored by rules-v1'),
  topFactors: z.array(z.string()).describe('scorer v2: what most favours the leading cause, in plain words'),
  timeline: z.array(z.looseObject({ seq: z.number(), at: z.string(), action: z.string() })),
});

export const CountAccepted = z.object({
  taskId: z.string(),
  caseId: z.string().nullable().describe('the case that asked for the count; for a cycle-count plan’s task, the count_variance case it opened (null: the count matched)'),
  planId: z.string().optional().describe('set when the task came from a cycle-count plan'),
  status: z.literal('accepted'),
  replayed: z.boolean(),
  signaled: z.boolean(),
});
