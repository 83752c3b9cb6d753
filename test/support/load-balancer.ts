import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LB_CONF = join(__dirname, '..', '..', 'scripts', 'lb-conf.sh');

/**
 * nginx in front of local API replicas, configured as scripts/dev.sh and the compose stack's `lb`
 * proxy (scripts/lb-conf.sh): writes `<dir>/lb.conf` (state in `<dir>/lb`) and returns the
 * arguments to start nginx with.
 */
export function loadBalancerArgs(lbPort: number, dir: string, upstreamPorts: (number | string)[]): string[] {
  const state = join(dir, 'lb');
  writeFileSync(`${state}.conf`, execFileSync('bash', [LB_CONF, String(lbPort), state, ...upstreamPorts.map(String)], { encoding: 'utf8' }));
  return ['-p', state, '-c', `${state}.conf`];
}
