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
};
export const TEST_POLICY: PolicyDocument = PolicyDocument.parse(TEST_POLICY_INPUT);
