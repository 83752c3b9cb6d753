/** The Temporal worker (workflows, activities, schedules, the intake sweeper, the audit watch): `npm run worker`. Wiring: src/workers/main.ts. */
import '../workers/main';
