import type { ActivityDeps } from './deps';
import { createEvidenceActivities } from './evidence';
import { createRecordActivities } from './record';
import { createWriteActivities } from './writes';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createEvidenceActivities(deps),
    ...createWriteActivities(deps),
    ...createRecordActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
