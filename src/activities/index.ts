import type { ActivityDeps } from './deps';
import { createAnchorActivities } from '../audit/activities';
import { createEvidenceActivities } from './evidence';
import { createPlannerActivities } from '../planner/activities';
import { createNotifyActivities } from './notify';
import { createOpeningActivities } from './opening';
import { createRecordActivities } from './record';
import { createReconcileActivities } from '../reconcile/activities';
import { createScoringActivities } from './scoring';
import { createWatcherActivities } from './watchers';
import { createWriteActivities } from './writes';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  const evidence = createEvidenceActivities(deps);
  const records = createRecordActivities(deps);
  const scoring = createScoringActivities(deps);
  return {
    ...evidence,
    ...createWriteActivities(deps),
    ...createNotifyActivities(deps),
    ...records,
    ...scoring,
    ...createOpeningActivities(deps, { pinPolicy: records.pinPolicy, readEvidence: evidence.readEvidence, scoreCase: scoring.scoreCase, keptWriteBasis: records.keptWriteBasis, loadPolicyVersion: records.loadPolicyVersion }),
    ...createWatcherActivities(deps),
    ...createPlannerActivities(deps),
    ...createReconcileActivities(deps),
    ...createAnchorActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
