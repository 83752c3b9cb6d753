/** The HTTP API (express): `npm run api`. Wiring: src/api/main.ts. */
import '../api/main';
