import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Config } from '../config';
import { answerClientErrors } from './client-errors';

/** The API's HTTP server as every deployment runs it (src/api/main.ts). */
export function serveApi(app: Express, config: Pick<Config, 'PORT' | 'HOST' | 'API_KEEP_ALIVE_TIMEOUT_MS'>, onListening?: () => void): Server {
  const server = answerClientErrors(app.listen(config.PORT, config.HOST, onListening));
  // Node closes an idle connection after 5 s by default (and a second later in fact); a load
  // balancer that keeps it longer sends a request on it as it closes
  server.keepAliveTimeout = config.API_KEEP_ALIVE_TIMEOUT_MS;
  return server;
}
