import { DEFAULT_POLICY_INPUT, PolicyDocument, type PolicyDocumentInput } from '../../src/domain';

/**
 * The policy the suite runs under: the shipped default, except that the `high` ladder has
 * second-scale SLAs so escalation can be watched in a test, recounts wait 5 min (a loaded CI
 * machine must not time out a count a test is about to post) except at RECOUNT_TIMEOUT_SITE, where
 * they time out in 5 s so the timeout itself can be watched, four
 * eyes start at 1500 so a review-severity case can need two approvers, and watchers wait seconds.
 */
/** The one site in the suite whose recounts time out in seconds. */
export const RECOUNT_TIMEOUT_SITE = 'DC-SLOWCOUNT';

/** The one site whose people are told through email, webhook and chat (test/notify). */
export const NOTIFY_SITE = 'DC-NOTIFY';

/** Two sites with their own policy layer (test/e2e/site-policy): each its own review ladder. */
export const LAYERED_SITES = { night: 'DC-LAYER-NIGHT', day: 'DC-LAYER-DAY' } as const;

/** The site that counts every kind the shipped default policy counts (the suite's own recount kinds are the older four). */
export const DEFAULT_RECOUNTS_SITE = 'DC-COUNTS';

export const TEST_POLICY_INPUT: PolicyDocumentInput = {
  ...DEFAULT_POLICY_INPUT,
  name: 'reckon-test',
  recounts: { automatic: 1, timeout: '5m', timeoutBySite: { [RECOUNT_TIMEOUT_SITE]: '5s' } },
  approval: { ...DEFAULT_POLICY_INPUT.approval, fourEyesAbove: 1500 },
  // watchers wait seconds, not hours: a test posts a transfer due now and sees it go late
  watchers: { transferGrace: '2s', returnDispositionWithin: '3s', receivingDueAfter: '3s', mismatchSettleAfter: '2s' },
  notifications: {
    routes: [
      { to: `site_supervisor@${NOTIFY_SITE}`, channels: ['email'], emails: ['supervisor@dc-notify.example'] },
      { to: `ops_manager@${NOTIFY_SITE}`, channels: ['email', 'webhook', 'chat'], emails: ['ops@dc-notify.example'] },
      { to: `loss_prevention@${NOTIFY_SITE}`, channels: ['chat'] },
    ],
    // sends give up within seconds, so a dead webhook can be watched
    attempts: 3,
    retryInitial: '1s',
    retryMax: '2s',
  },
  ladders: {
    ...DEFAULT_POLICY_INPUT.ladders,
    high: {
      rungs: [
        { role: 'site_supervisor', sla: '4s' },
        { role: 'ops_manager', sla: '4s' },
      ],
      terminal: { action: 'hold_and_page', role: 'ops_manager' },
    },
  },
  overrides: {
    [DEFAULT_RECOUNTS_SITE]: { recounts: { kinds: DEFAULT_POLICY_INPUT.recounts.kinds } },
    // the night site's reviews go straight to its supervisor, with a 2h SLA; its transfers get a longer grace
    [LAYERED_SITES.night]: {
      ladders: { review: { rungs: [{ role: 'site_supervisor', sla: '2h' }], terminal: { action: 'page_only', role: 'ops_manager' } } },
      watchers: { transferGrace: '1h' },
    },
    // the day site's go to inventory control for 30 minutes, then operations
    [LAYERED_SITES.day]: {
      ladders: { review: { rungs: [{ role: 'inventory_control', sla: '30m' }, { role: 'ops_manager', sla: '1h' }], terminal: { action: 'page_only', role: 'ops_manager' } } },
      tolerances: { byClass: { C: { pct: 0, units: 0, value: 0 } } },
    },
  },
};
export const TEST_POLICY: PolicyDocument = PolicyDocument.parse(TEST_POLICY_INPUT);
