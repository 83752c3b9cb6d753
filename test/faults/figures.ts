import { writeFileSync } from 'node:fs';

/** What a fault run proved, printed at its end (and by scripts/test.sh at the end of the whole run). */
export interface FaultFigures {
  size: string;
  /** the phases that ran to their checks, in order */
  phases: string[];
  cases: number;
  faultsInjected: number;
  lost: number;
  duplicated: number;
  chainsVerified: number;
  /** redeliveries after a close, each closed by the engine as a duplicate that wrote nothing */
  redeliveriesSuppressed: number;
  /** every other finding of the checks (a wrong end state, a 500, a process that died) */
  problems: number;
  wallSeconds: number;
}

export function formatFigures(f: FaultFigures): string {
  return (
    `fault suite (${f.size}): ${f.cases} cases in ${f.phases.length} phases (${f.phases.join(', ')}), ${f.faultsInjected} faults injected, ` +
    `lost ${f.lost}, duplicated ${f.duplicated}, ${f.chainsVerified} audit chains verified, ${f.problems} other problems ` +
    `(${f.redeliveriesSuppressed} late redeliveries closed as duplicates, no write), ${f.wallSeconds} s`
  );
}

/** To stdout, and to FAULT_FIGURES_FILE when set (scripts/test.sh prints it at the very end). */
export function printFigures(f: FaultFigures): void {
  process.stdout.write(`[faults] ${formatFigures(f)}\n`);
  const file = process.env.FAULT_FIGURES_FILE;
  if (file) writeFileSync(file, `${formatFigures(f)}\n${JSON.stringify(f)}\n`);
}
