import { z } from 'zod';
import { CountPlanId, IncidentId, SiteId } from '../domain';
import { TRIAGE_BANDS } from '../domain/triage';
import { csvList, Cursor } from './query-list';
import { LINK_KINDS } from '../triage/links';

/** Schemas of the triage endpoints (incidents, count plans); handlers validate with them and the spec is generated from them. */

const page = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Cursor.optional(),
};

export { CountPlanId, IncidentId };

export const IncidentListQuery = z
  .object({
    site: csvList(SiteId).optional(),
    status: csvList(z.enum(['open', 'closed'])).optional(),
    kind: csvList(z.enum(LINK_KINDS)).optional(),
    ...page,
  })
  .strict();
export type IncidentListQuery = z.output<typeof IncidentListQuery>;

export const CountPlanListQuery = z.object({ site: csvList(SiteId).optional(), ...page }).strict();
export type CountPlanListQuery = z.output<typeof CountPlanListQuery>;

const Band = z.enum(TRIAGE_BANDS);

export const IncidentSchema = z.object({
  id: z.string(),
  site: z.string(),
  link: z.object({ kind: z.enum(LINK_KINDS), key: z.string() }).describe('what its cases share'),
  status: z.enum(['open', 'closed']),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  updatedAt: z.string(),
  openCases: z.number().int().describe('cases in it now'),
  valueAtRisk: z.number().describe('of the cases in it now; of a closed incident, of every case it held'),
  topPriority: z.object({ caseId: z.string(), score: z.number(), band: Band.nullable() }).nullable(),
  cases: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      sku: z.string(),
      location: z.string().nullable(),
      status: z.string(),
      valueAtRisk: z.number(),
      triageScore: z.number().nullable(),
      triageBand: Band.nullable(),
      joinedAt: z.string(),
      leftAt: z.string().nullable().describe('when it left (closed); null while it is in the incident'),
    }),
  ),
  links: z.record(z.string(), z.string()),
});

export const IncidentPage = z.object({ items: z.array(IncidentSchema), nextCursor: z.string().nullable(), limit: z.number().int() });

export const CountPlanItemSchema = z.object({
  rank: z.number().int(),
  location: z.string(),
  purpose: z.enum(['frequency', 'risk']).describe('frequency: due by its ABC class’s count frequency; risk: chosen for risk with the capacity left'),
  risk: z.number(),
  skus: z.array(z.string()),
  factors: z.object({
    errorCases: z.number(),
    velocityPerDay: z.number(),
    stockValue: z.number(),
    daysSinceCount: z.number().nullable(),
    staleness: z.number(),
    skuClass: z.enum(['A', 'B', 'C']).optional().describe('the bin’s class: the highest effective class of its SKUs'),
    dueInDays: z.number().nullable().optional().describe('days until its class’s frequency requires a count (negative: overdue; null: never counted)'),
  }),
  reasons: z.array(z.string()),
  taskIds: z.array(z.string()).describe('the count tasks created for it (one per SKU in the bin)'),
});

export const CountPlanSchema = z.object({
  id: z.string().describe('the planner run (its workflow id)'),
  site: z.string(),
  plannedAt: z.string(),
  topN: z.number().int(),
  considered: z.number().int().describe('bins ranked'),
  modelVersion: z.string(),
  status: z.enum(['planned', 'tasks_created']),
  completedAt: z.string().nullable(),
  items: z.array(CountPlanItemSchema),
  links: z.record(z.string(), z.string()),
});

export const CountPlanPage = z.object({ items: z.array(CountPlanSchema), nextCursor: z.string().nullable(), limit: z.number().int() });
