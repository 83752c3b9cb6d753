import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { findTemporalCli } from '../src/dev/temporal-server';
import type { Stack } from './stack';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  postgres: string;
  temporal: string;
  /** 1, 5 and 15 minute load averages when the bench started */
  loadAvg: number[];
}

export async function machineInfo(stack: Stack): Promise<Machine> {
  const cli = stack.config.TEMPORAL_CLI || findTemporalCli(stack.config.PATH);
  const { rows } = await stack.db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    postgres: `PostgreSQL ${rows[0].v}`,
    temporal: execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim(),
    loadAvg: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}
