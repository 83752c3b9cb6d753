import { z } from 'zod';
import { CASE_STATUSES, DiscrepancyKind, Instant, IsoDate, RESOLUTIONS, Severity, SiteId } from '../domain';
import { csvList } from './query-list';
import { AGE_BUCKETS } from '../store/kpi-queries';

/** Schemas of the operations endpoints (live feed, KPIs); handlers validate with them and the spec is generated from them. */

const siteList = csvList(SiteId);
const kindList = csvList(DiscrepancyKind);

export const StreamQuery = z.object({ site: siteList.optional(), kind: kindList.optional() }).strict();

export const CaseChangeSchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  kind: DiscrepancyKind,
  site: z.string(),
  sku: z.string(),
  status: z.enum(CASE_STATUSES),
  severity: Severity.nullable(),
  resolution: z.enum(RESOLUTIONS).nullable(),
  ownerRole: z.string().nullable(),
  escalationLevel: z.number().int(),
  rowVersion: z.number().int(),
  at: z.string(),
});

const DAY_MS = 86_400_000;
export const MAX_KPI_DAYS = 366;
const instant = z
  .union([Instant, IsoDate])
  .transform((s) => new Date(s));

export const KpiQuery = z
  .object({
    site: siteList.optional(),
    kind: kindList.optional(),
    /** start of the window (inclusive); default: 30 days before `to` */
    from: instant.optional(),
    /** end of the window (exclusive); default: now */
    to: instant.optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    else if (to.getTime() - from.getTime() > MAX_KPI_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: `the window may span at most ${MAX_KPI_DAYS} days` });
  });
export type KpiQuery = z.output<typeof KpiQuery>;

const count = z.number().int().min(0);
const Rate = z.object({ rate: z.number().nullable().describe('numerator / denominator; null when the denominator is 0'), numerator: count, denominator: count });
const Duration = z.object({
  count,
  avgSeconds: z.number().nullable(),
  p50Seconds: z.number().nullable(),
  p90Seconds: z.number().nullable(),
});

const IraFigure = {
  counts: count.describe('counts behind the figure'),
  accurate: count.describe('counts whose system quantity was within the counting tolerance'),
  rate: z.number().nullable().describe('accurate / counts (count-weighted IRA); null without counts'),
  value: z.number().describe('the counts at cost: the larger of system and counted quantity × unit cost'),
  accurateValue: z.number(),
  valueRate: z.number().nullable().describe('accurateValue / value (value-weighted IRA); null when nothing counted had a value'),
};
export const IraSchema = z
  .object({
    overall: z.object(IraFigure),
    bySite: z.array(z.object({ site: z.string(), ...IraFigure })),
    byZone: z.array(z.object({ site: z.string(), zone: z.string().nullable(), ...IraFigure })),
    byClass: z.array(z.object({ skuClass: z.string(), ...IraFigure })),
    byWeek: z.array(z.object({ week: z.string().describe('Monday of the week (UTC)'), ...IraFigure })),
  })
  .describe('inventory record accuracy of the counts (count events and count task results) taken in [from, to); kind does not apply');

export const KpisSchema = z.object({
  period: z.object({ from: z.string(), to: z.string() }).describe('the cohort: cases opened in [from, to)'),
  scope: z.object({ sites: z.array(z.string()).nullable().describe('null: every site'), kinds: z.array(z.string()).nullable() }),
  volume: z.object({
    total: count,
    byKind: z.array(z.object({ kind: z.string(), count })),
    bySite: z.array(z.object({ site: z.string(), count })),
  }),
  openByAge: z
    .object({ asOf: z.string(), total: count, buckets: z.object(Object.fromEntries(AGE_BUCKETS.map((b) => [b, count])) as Record<(typeof AGE_BUCKETS)[number], typeof count>) })
    .describe('cases open now (whatever the window), by time since they opened'),
  mttd: Duration.describe('mean time to detect: detected → opened'),
  mttr: Duration.describe('mean time to resolve: opened → closed, of the closed cases'),
  autoResolutionRate: Rate.describe('closed by an auto-resolution rule / closed'),
  recountRate: Rate.describe('cases that created at least one count task / cases'),
  slaBreachRate: Rate.describe('cases that breached an SLA / cases that went to a person (had an SLA)'),
  falsePositiveRate: z
    .array(z.object({ kind: z.string(), site: z.string(), rate: z.number().nullable(), falsePositives: count, decided: count }))
    .describe('outcomes judged false positive / outcomes with a verdict, by kind and site'),
  byReasonCode: z
    .array(z.object({ kind: z.string(), reasonCode: z.string().nullable(), resolution: z.string(), closedBy: z.enum(['person', 'reckon']), cases: count, valueAtRisk: z.number() }))
    .describe("closed cases by kind and reason code, most frequent first: a person's code from the policy catalogue, or the code Reckon posted its own adjustment with; automatic closes that posted nothing have no code"),
  topRootCauses: z
    .array(z.object({ site: z.string(), location: z.string(), total: count, causes: z.array(z.object({ rootCause: z.string(), count })) }))
    .describe('the most frequent root causes of true outcomes per location, busiest locations first'),
  inventoryRecordAccuracy: IraSchema,
  replenishmentAtRisk: z
    .array(
      z.object({
        site: z.string(),
        sku: z.string(),
        openCases: count,
        correction: z.number().describe('signed units the open cases would book'),
        availableBefore: z.number().describe('available stock (on hand less open orders) as the books say'),
        availableAfter: z.number().describe('available stock after the latest open case’s correction'),
        reorderPoint: z.number(),
        caseIds: z.array(z.string()),
      }),
    )
    .describe('skus whose replenishment open cases distort: a correction moves available stock across the reorder point (open cases now, whatever the window)'),
  shadowAgreement: z
    .array(
      z.object({
        kind: z.string(),
        site: z.string(),
        shadowCases: count,
        agreed: count,
        rate: z.number().nullable().describe('agreed / shadowCases'),
        wouldAutoResolve: count,
        autoResolutionsReversed: count.describe('would-be auto-resolutions people did otherwise: adjusted nothing, or something else'),
        peopleActed: count.describe('cases people booked an adjustment for at the bin within 7 days'),
      }),
    )
    .describe('shadow cases of the cohort: what Reckon would have done against the adjustments people booked at the bin in the 7 days after, by kind and site'),
});
export type Kpis = z.output<typeof KpisSchema>;
