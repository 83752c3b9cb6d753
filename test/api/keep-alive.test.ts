import { readFileSync } from 'node:fs';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { serveApi } from '../../src/api/serve';
import { startApi, type ApiHarness } from './support';

/**
 * The API behind a load balancer: nginx keeps idle connections to it for 60 s and sends the next
 * request on one of them. Node's own default drops an idle connection after 5 s, so a request
 * sent as it drops fails, and nginx does not resend a POST: the person gets a 502.
 */
let api: ApiHarness;
let server: Server;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
beforeAll(async () => {
  api = await startApi({ config: { API_KEEP_ALIVE_TIMEOUT_MS: 8000 } });
  server = await new Promise<Server>((resolve) => {
    const s = serveApi(api.app, { ...api.config, PORT: 0, HOST: '127.0.0.1' }, () => resolve(s));
  });
});
afterAll(async () => {
  agent.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await api.close();
});

/** GET /healthz on the agent's one socket: whether it was a kept connection, and from which local port. */
function healthz(): Promise<{ status: number; reused: boolean; localPort: number }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, path: '/healthz' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, localPort: req.socket?.localPort ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('keeps an idle connection past Node’s 5 s for as long as configured, then closes it', async () => {
  const first = await healthz();
  expect(first).toMatchObject({ status: 200, reused: false });
  // idle longer than Node's default lets it (5 s, closed about a second later): still the same connection
  await sleep(6500);
  const again = await healthz();
  expect(again).toMatchObject({ status: 200, reused: true, localPort: first.localPort });
  // idle longer than configured (8 s, and that second): the API closed it, the next request opens a new one
  await sleep(9500);
  const later = await healthz();
  expect(later.status).toBe(200);
  expect(later.reused).toBe(false);
}, 30_000);

it('outlasts the load balancers in front of it: every nginx upstream drops idle connections first', () => {
  const apiMs = loadConfig().API_KEEP_ALIVE_TIMEOUT_MS;
  for (const file of ['docker/nginx/reckon.conf', 'scripts/lb-conf.sh']) {
    const text = readFileSync(join(__dirname, '..', '..', file), 'utf8');
    const m = /keepalive_timeout\s+(\d+)s;/.exec(text);
    expect(m).not.toBeNull();
    expect(Number(m![1]) * 1000).toBeLessThan(apiMs);
  }
});
