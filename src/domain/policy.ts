import { z } from 'zod';
import { DiscrepancyKind, Process, SkuClass } from './discrepancy';
import { SlaCalendarSchema } from './calendar-schema';
import { DURATION_PATTERN, durationMs } from './durations';
import { DEFAULT_REASON_CODES, REASON_DECISIONS } from './reason-codes';
import { mergedForSite } from './site-layer-merge';

export { DURATION_PATTERN, durationMs } from './durations';

/** A policy duration as text, refused unless it parses and is longer than zero. */
export const DurationText = z
  .string()
  .min(2)
  .max(16)
  .regex(DURATION_PATTERN, 'a duration such as 90s, 30m, 4h, 2d or 1h30m')
  // zod runs this even when the pattern failed: it must not throw on a malformed duration
  .refine((s) => !DURATION_PATTERN.test(s) || durationMs(s) > 0, 'must be longer than zero');

export const SEVERITIES = ['info', 'review', 'high', 'critical'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const Role = z.string().min(1).max(48).regex(/^[a-z][a-z0-9_]*$/, 'lower_snake_case role name');

export const ToleranceLimits = z
  .object({
    /** percent of the expected quantity */
    pct: z.number().nonnegative().max(100),
    /** absolute units */
    units: z.number().nonnegative(),
    /** absolute value (variance × unit cost) */
    value: z.number().nonnegative(),
  })
  .strict();
export type ToleranceLimits = z.infer<typeof ToleranceLimits>;

export const ToleranceOverride = z
  .object({
    site: z.string().optional(),
    zone: z.string().optional(),
    process: Process.optional(),
    skuClass: SkuClass.optional(),
    pct: z.number().nonnegative().max(100).optional(),
    units: z.number().nonnegative().optional(),
    value: z.number().nonnegative().optional(),
  })
  .strict();
export type ToleranceOverride = z.infer<typeof ToleranceOverride>;

export const AUTO_RULE_NAMES = [
  'explained_by_open_allocation',
  'explained_by_unposted_receipt',
  'explained_by_transfer_in_transit',
  'explained_by_return_without_disposition',
  'explained_by_pending_transactions',
  'count_within_tolerance',
  'duplicate_event',
] as const;
export const AutoRuleName = z.enum(AUTO_RULE_NAMES);
export type AutoRuleName = z.infer<typeof AutoRuleName>;

export const AutoRule = z
  .object({
    name: AutoRuleName,
    enabled: z.boolean().default(true),
    minConfidence: z.number().min(0).max(1),
    maxValue: z.number().nonnegative(),
  })
  .strict();
export type AutoRule = z.infer<typeof AutoRule>;

/** Two rules of one name would leave decide() to pick whose confidence and value limits apply. */
function uniqueRuleNames(rules: { name: string }[], ctx: z.RefinementCtx): void {
  rules.forEach((r, i) => {
    if (rules.findIndex((other) => other.name === r.name) < i) {
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate rule ${r.name}: each rule may appear once` });
    }
  });
}

export const TERMINAL_ACTIONS = ['hold_and_page', 'page_only'] as const;
/** After the terminal action: the case stays open for the paged role, or closes with its hold released. */
export const TERMINAL_THEN = ['stay_open', 'close_and_release'] as const;
/** A decision that arrives while the terminal action runs: it wins (the action stops), or it is refused (409). */
export const TERMINAL_DECISIONS = ['decision_wins', 'refuse'] as const;
export const Ladder = z
  .object({
    rungs: z.array(z.object({ role: Role, sla: DurationText }).strict()).min(1).max(10),
    terminal: z
      .object({
        action: z.enum(TERMINAL_ACTIONS),
        role: Role,
        /** default: stay_open after hold_and_page (held stock keeps an owner), close_and_release after page_only */
        then: z.enum(TERMINAL_THEN).optional(),
        /** default: decision_wins */
        decisionsDuring: z.enum(TERMINAL_DECISIONS).optional(),
      })
      .strict(),
  })
  .strict();
export type Ladder = z.infer<typeof Ladder>;
export type Rung = Ladder['rungs'][number];

/**
 * Routing: which ladder (and so which roles) a case goes to, by kind, severity and site. The
 * first route that matches wins; a case no route matches takes its severity's ladder. Pinned with
 * the policy version, and named on the case when it goes to people.
 */
export const Route = z
  .object({
    kinds: z.array(DiscrepancyKind).min(1).max(20).optional(),
    severities: z.array(Severity).min(1).max(4).optional(),
    sites: z.array(z.string().min(1).max(32)).min(1).max(200).optional(),
    ladder: Ladder,
    /** said on the case: why it went to this ladder */
    why: z.string().min(1).max(200).optional(),
  })
  .strict();
export type Route = z.infer<typeof Route>;

/**
 * Watchers (docs/architecture.md, "How an event becomes a case"): how long Reckon waits for an expected event before it opens a case.
 * Deadlines start from the event's own data where it has some (a transfer's ETA, a return's
 * due date, an ASN's expected arrival); these durations are added to it.
 */
export const WatcherSettings = z
  .object({
    /** transferWatch: a transfer not received by its ETA plus this grace is late */
    transferGrace: DurationText.default('4h'),
    /** returnWatch: a received return without a disposition this long after receipt (or its due date) */
    returnDispositionWithin: DurationText.default('48h'),
    /** receivingMatch: an ASN/PO is compared with its receipts this long after its expected arrival */
    receivingDueAfter: DurationText.default('24h'),
    /** system_mismatch: a WMS/ERP difference beyond tolerance must last this long to become a case */
    mismatchSettleAfter: DurationText.default('30m'),
  })
  .strict();
export type WatcherSettings = z.infer<typeof WatcherSettings>;

export const SCORERS = ['rules-v1', 'bayes-v2'] as const;
/**
 * Which scorer cases of this policy use. rules-v1 (the named rules) by default: bayes-v2 learns
 * from outcomes, so what it auto-resolves shifts as verdicts accrue; a site opts in, ideally
 * after a spell in shadow mode has shown its calibration (docs/scorer-v2.md).
 */
export const Scorer = z.enum(SCORERS);
export type Scorer = z.infer<typeof Scorer>;
export const ScoringSettings = z
  .object({
    scorer: Scorer.default('rules-v1'),
    /** per-site choice (a pilot site, say), overriding `scorer` */
    sites: z.record(z.string().min(1).max(32), Scorer).default({}),
  })
  .strict();
export type ScoringSettings = z.infer<typeof ScoringSettings>;

/**
 * Shadow mode: cases are detected, scored, decided and recorded, but nothing is written to the
 * systems of record, so a site can calibrate Reckon before it lets it act. `sites` overrides
 * `enabled` per site.
 */
export const ShadowSettings = z
  .object({
    enabled: z.boolean().default(false),
    sites: z.record(z.string().min(1).max(32), z.boolean()).default({}),
  })
  .strict();
export type ShadowSettings = z.infer<typeof ShadowSettings>;

export const NOTIFICATION_CHANNELS = ['email', 'webhook', 'chat'] as const;
export const NotificationChannel = z.enum(NOTIFICATION_CHANNELS);
export type NotificationChannel = z.infer<typeof NotificationChannel>;

/**
 * Who is told what, and how: `to` is a role (`loss_prevention`) or a role at one site
 * (`site_supervisor@DC1`); for a role at a site the routes naming that site win over the
 * role's general ones. Endpoints and secrets are deployment settings, not policy.
 */
export const NotificationRoute = z
  .object({
    to: z.string().min(1).max(90).regex(/^[a-z][a-z0-9_]*(@[A-Za-z0-9][A-Za-z0-9._\-/:#]{0,31})?$/, 'a role, or role@site'),
    channels: z.array(NotificationChannel).min(1).max(3),
    /** addresses for the email channel */
    emails: z.array(z.email()).max(20).default([]),
  })
  .strict()
  .refine((r) => !r.channels.includes('email') || r.emails.length > 0, { path: ['emails'], message: 'the email channel needs at least one address' });
export type NotificationRoute = z.infer<typeof NotificationRoute>;

export const NotificationSettings = z
  .object({
    routes: z.array(NotificationRoute).max(200).default([]),
    /** tries per send before it is dead (visible in GET /v1/notifications) */
    attempts: z.number().int().min(1).max(50).default(8),
    /** wait before the second try; doubles each time up to `retryMax` */
    retryInitial: DurationText.default('10s'),
    retryMax: DurationText.default('10m'),
  })
  .strict();
export type NotificationSettings = z.infer<typeof NotificationSettings>;

/** The routes that apply to a role at a site: the site's own ones if any, else the role's. */
export function notificationRoutesFor(settings: NotificationSettings, role: string, site: string): NotificationRoute[] {
  const atSite = settings.routes.filter((r) => r.to === `${role}@${site}`);
  return atSite.length > 0 ? atSite : settings.routes.filter((r) => r.to === role);
}

/**
 * Scheduled WMS/ERP reconciliation: each listed site's two systems are compared sku by sku every
 * interval (a Temporal Schedule per site, brought up to the active policy at worker start).
 */
export const ReconciliationSettings = z
  .object({
    sites: z.record(z.string().min(1).max(32), DurationText).default({}),
    /** skus per snapshot page asked of each system */
    pageSize: z.number().int().min(10).max(5000).default(1000),
  })
  .strict();
export type ReconciliationSettings = z.infer<typeof ReconciliationSettings>;
/**
 * The cycle-count programme: ABC classes by Pareto on annual usage value (A the items making up
 * the first `aShare` of it, B up to `bShare`), where they come from, and how often each class's
 * bins must be counted. Defaults: the classic 80/95 split, A monthly, B quarterly, C yearly.
 */
export const CycleCountSettings = z
  .object({
    abc: z
      .object({
        aShare: z.number().gt(0).lt(1).default(0.8),
        bShare: z.number().gt(0).max(1).default(0.95),
        /** computed: Reckon's own Pareto (the ERP's class until there is history); erp: the class events and the item master carry */
        source: z.enum(['computed', 'erp']).default('computed'),
        /** days of movement history the usage value is taken over (scaled to a year) */
        historyDays: z.number().int().min(7).max(730).default(365),
      })
      .strict()
      .prefault({})
      .refine((a) => a.bShare > a.aShare, { path: ['bShare'], message: 'must be greater than aShare' }),
    /** at most this many days between two counts of a bin holding the class */
    frequencyDays: z
      .object({ A: z.number().int().min(1).max(730).default(30), B: z.number().int().min(1).max(730).default(91), C: z.number().int().min(1).max(730).default(365) })
      .strict()
      .prefault({}),
  })
  .strict();
export type CycleCountSettings = z.infer<typeof CycleCountSettings>;

/**
 * Replenishment levels when the ERP gives none (stock at risk, domain/triage.ts): the reorder
 * point and safety stock as days of cover at the sku's velocity.
 */
export const ReplenishmentSettings = z
  .object({
    reorderPointDays: z.number().nonnegative().max(365).default(7),
    safetyStockDays: z.number().nonnegative().max(365).default(3),
  })
  .strict()
  .refine((r) => r.reorderPointDays >= r.safetyStockDays, { path: ['reorderPointDays'], message: 'must be >= safetyStockDays' });
export type ReplenishmentSettings = z.infer<typeof ReplenishmentSettings>;

/** One entry of the reason-code catalogue (domain/reason-codes.ts says how it is read). */
export const ReasonCode = z
  .object({
    code: z.string().min(1).max(32).regex(/^[A-Z][A-Z0-9_]*$/, 'UPPER_SNAKE_CASE code'),
    description: z.string().min(1).max(200),
    needsComment: z.boolean().default(false),
    decisions: z.array(z.enum(REASON_DECISIONS)).min(1).max(3).default(['approve', 'reject']),
    /** absent: every kind */
    kinds: z.array(DiscrepancyKind).min(1).max(20).optional(),
  })
  .strict();
export type ReasonCode = z.infer<typeof ReasonCode>;

function uniqueCodes(codes: { code: string }[], ctx: z.RefinementCtx): void {
  codes.forEach((r, i) => {
    if (codes.findIndex((other) => other.code === r.code) < i) ctx.addIssue({ code: 'custom', path: [i, 'code'], message: `duplicate reason code ${r.code}` });
  });
}

/** What a site layer may set (docs/policy.md); notifications, schedules and programmes stay global. */
export const SITE_LAYER_SECTIONS = [
  'tolerances', 'severity', 'autoResolution', 'recounts', 'ladders', 'routes', 'calendars', 'approval',
  'segregationOfDuties', 'segregationFromEvidence', 'autoAdjustReasonCode', 'reasonCodes', 'watchers', 'scoring', 'shadow',
] as const;
/** A site's partial policy: each section is checked by merging it over the global policy and validating the result. */
export const SiteLayer = z
  .object(Object.fromEntries(SITE_LAYER_SECTIONS.map((k) => [k, z.unknown().optional()])) as Record<(typeof SITE_LAYER_SECTIONS)[number], z.ZodOptional<z.ZodUnknown>>)
  .strict();
export type SiteLayer = z.infer<typeof SiteLayer>;

export const PolicyDocument = z
  .object({
    name: z.string().min(1).max(100),
    description: z.string().max(2000).optional(),
    tolerances: z
      .object({
        byClass: z.object({ A: ToleranceLimits, B: ToleranceLimits, C: ToleranceLimits }).strict(),
        overrides: z.array(ToleranceOverride).max(200).default([]),
      })
      .strict(),
    severity: z
      .object({
        /** minimum value at risk for each tier beyond tolerance; below `review` it is `review`. */
        highFromValue: z.number().nonnegative(),
        criticalFromValue: z.number().nonnegative(),
        /** kinds that are never below a given severity (e.g. negative stock is at least high). */
        kindFloor: z.partialRecord(DiscrepancyKind, Severity).default({}),
      })
      .strict()
      .refine((s) => s.criticalFromValue >= s.highFromValue, {
        path: ['criticalFromValue'],
        message: 'must be >= highFromValue',
      }),
    autoResolution: z.object({ rules: z.array(AutoRule).max(50).superRefine(uniqueRuleNames) }).strict(),
    recounts: z
      .object({
        automatic: z.number().int().min(0).max(5),
        /** how long to wait for a count result before a human decides */
        timeout: DurationText,
        /** per-site wait (a site whose counters work one shift, say), overriding `timeout` */
        timeoutBySite: z.record(z.string().min(1).max(32), DurationText).default({}),
        /** kinds where a physical recount can settle the question */
        kinds: z.array(DiscrepancyKind).default(['count_variance', 'negative_inventory', 'phantom_stock', 'system_mismatch']),
      })
      .strict(),
    ladders: z.object({ info: Ladder, review: Ladder, high: Ladder, critical: Ladder }).strict(),
    routes: z.array(Route).max(100).default([]),
    /**
     * Business hours per site (docs/calendars.md): SLA deadlines and escalation rungs at a site with
     * a calendar count working time only. A site without one counts wall-clock time.
     */
    calendars: z.record(z.string().min(1).max(32), SlaCalendarSchema).default({}),
    approval: z
      .object({
        /** the value a role may approve alone; roles absent here may not approve */
        limits: z.record(Role, z.number().nonnegative()),
        /** above this value two different approvers are required */
        fourEyesAbove: z.number().nonnegative(),
        /**
         * Units an approver may post instead of the variance in force (a larger or reversed
         * adjustment), only with a comment saying why. Absent: an adjustment stays within the variance.
         */
        adjustCap: z.number().positive().max(1e9).optional(),
      })
      .strict(),
    segregationOfDuties: z.boolean().default(true),
    /** segregation of duties also bars whoever the evidence names (receiver, picker, putaway user) */
    segregationFromEvidence: z.boolean().default(true),
    /** reason code used for automatic adjustments */
    autoAdjustReasonCode: z.string().min(1).max(32).default('CYCLE_COUNT'),
    /**
     * The reason codes approvers give, per kind and decision; validated on approve, reject and
     * resolve-manually. A policy written without one gets the default catalogue.
     */
    reasonCodes: z.array(ReasonCode).min(1).max(300).superRefine(uniqueCodes).prefault(() => DEFAULT_REASON_CODES as z.input<typeof ReasonCode>[]),
    watchers: WatcherSettings.prefault({}),
    scoring: ScoringSettings.prefault({}),
    shadow: ShadowSettings.prefault({}),
    notifications: NotificationSettings.prefault({}),
    reconciliation: ReconciliationSettings.prefault({}),
    cycleCounting: CycleCountSettings.prefault({}),
    replenishment: ReplenishmentSettings.prefault({}),
    /** per-site layers over this policy, merged into the effective policy of a site (domain/site-policy.ts) */
    overrides: z.record(z.string().min(1).max(32), SiteLayer).default({}),
  })
  .strict()
  .superRefine((p, ctx) => checkSiteLayers(p, ctx))
  // automatic adjustments post with this code: it must be one the catalogue knows
  .refine((p) => p.reasonCodes.some((r) => r.code === p.autoAdjustReasonCode), { path: ['autoAdjustReasonCode'], message: 'must be a code of reasonCodes' });
export type PolicyDocumentInput = z.input<typeof PolicyDocument>;
export type PolicyDocument = z.output<typeof PolicyDocument>;

/** A policy as a case pins it: the document plus its stored version. */
export interface PinnedPolicy {
  version: number;
  document: PolicyDocument;
  /** the site whose override layer is merged into `document` (absent: the global policy as is) */
  layer?: string;
}

/** Each site's layer must give a valid policy once merged: its problems are reported at overrides.<site>.… */
function checkSiteLayers(p: { overrides: Record<string, SiteLayer> }, ctx: z.RefinementCtx): void {
  const sites = Object.keys(p.overrides);
  if (sites.length === 0) return;
  // a problem of the global policy is reported once, at its own path, not again under every site
  const own = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).filter(([k]) => k in PolicyDocument.shape));
  const globalIssues = new Set((PolicyDocument.safeParse(own({ ...p, overrides: {} })).error?.issues ?? []).map((i) => `${i.path.join('.')}|${i.message}`));
  for (const site of sites) {
    const { merged } = mergedForSite(p as unknown as Record<string, unknown>, site);
    // only the document's own fields (a change body carries a `reason` too)
    const r = PolicyDocument.safeParse(own(merged));
    if (r.success) continue;
    for (const issue of r.error.issues) if (!globalIssues.has(`${issue.path.join('.')}|${issue.message}`)) ctx.addIssue({ code: 'custom', path: ['overrides', site, ...issue.path], message: issue.message });
  }
}
