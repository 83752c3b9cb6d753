import type { User } from '../store/user-repo';

// What the inbox's middleware attaches to each request.
declare module 'express-serve-static-core' {
  interface Request {
    /** the signed-in person, set by `loadSession` on inbox routes */
    user?: User;
    /** the session's CSRF token, echoed in every form */
    csrfToken?: string;
  }
}

export {};
