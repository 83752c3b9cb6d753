/**
 * How big a fault run is. `small` is what `bash scripts/test.sh` (CI) runs, sized to stay under
 * about 4 minutes on 2 shared cores; `full` is the pre-release run of `npm run faults`.
 * FAULT_SIZE picks one; FAULT_CASES overrides the number of cases of either.
 */
export interface FaultSize {
  name: 'small' | 'full';
  cases: number;
  /** a phase's reports are spread over this long */
  submitOverMs: number;
  /** how many times the kill phase kills the worker */
  kills: number;
  /** how long Postgres and Redis stay down */
  outageMs: number;
}

const SIZES: Record<FaultSize['name'], Omit<FaultSize, 'name'>> = {
  // 30 cases a phase still leaves cases in every stage when the fault begins (a phase asserts it)
  small: { cases: 120, submitOverMs: 15_000, kills: 3, outageMs: 10_000 },
  full: { cases: 500, submitOverMs: 25_000, kills: 6, outageMs: 20_000 },
};

export function faultSize(env: NodeJS.ProcessEnv = process.env): FaultSize {
  const name = env.FAULT_SIZE ?? 'full';
  if (name !== 'small' && name !== 'full') throw new Error(`FAULT_SIZE must be small or full, not ${name}`);
  const size = { name, ...SIZES[name] } as FaultSize;
  if (env.FAULT_CASES) size.cases = Number(env.FAULT_CASES);
  if (!Number.isInteger(size.cases) || size.cases < 8) throw new Error(`FAULT_CASES must be an integer of 8 or more, not ${env.FAULT_CASES}`);
  return size;
}
