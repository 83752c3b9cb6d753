import type { ActivityDeps } from './deps';
import { createAnchorActivities } from '../audit/activities';
import { createEvidenceActivities } from './evidence';
import { createPlannerActivities } from '../planner/activities';
import { createNotifyActivities } from './notify';
import { createRecordActivities } from './record';
import { createReconcileActivities } from '../reconcile/activities';
import { createScoringActivities } from './scoring';
import { createWatcherActivities } from './watchers';
import { createWriteActivities } from './writes';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createEvidenceActivities(deps),
    ...createWriteActivities(deps),
    ...createNotifyActivities(deps),
    ...createRecordActivities(deps),
    ...createScoringActivities(deps),
    ...createWatcherActivities(deps),
    ...createPlannerActivities(deps),
    ...createReconcileActivities(deps),
    ...createAnchorActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
