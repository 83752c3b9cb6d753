import type { Logger } from '../logger';
import type { ApiKeyGrant } from '../store/api-key-repo';

// What the API's middleware attaches to each request.
declare module 'express-serve-static-core' {
  interface Request {
    /** the API key's grant, set by `authenticate` on /v1 routes */
    auth?: ApiKeyGrant;
    /** a child logger carrying the correlation id */
    log: Logger;
    correlationId: string;
    /** size of the JSON body as sent, set by jsonBody's parser */
    bodyBytes?: number;
  }
}

export {};
