import type { PolicyDocument, Scorer } from './policy';

/**
 * The scorer a pinned policy asks for at a site. A policy pinned before scorers were selectable carries
 * no `scoring` section: its cases keep the rule-based scorer they started with.
 */
export function scorerOf(policy: Pick<PolicyDocument, 'scoring'> | undefined, site: string): Scorer {
  const scoring = policy?.scoring;
  if (!scoring) return 'rules-v1';
  return scoring.sites?.[site] ?? scoring.scorer;
}

/** Whether a site runs in shadow mode under this policy (a per-site entry wins over the default). */
export function isShadow(policy: Pick<PolicyDocument, 'shadow'> | undefined, site: string): boolean {
  const shadow = policy?.shadow;
  if (!shadow) return false;
  return shadow.sites[site] ?? shadow.enabled;
}
