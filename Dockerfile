# Reckon's image: the API, the worker, the queue consumer and the CLIs all run from it
# (docker-compose.yml picks the entrypoint). TypeScript runs through tsx, as the npm scripts do.
FROM node:20-bookworm-slim

# jemalloc: the worker runs on it (scripts/worker.sh), a cached case keeps less resident memory
RUN apt-get update && apt-get install -y --no-install-recommends libjemalloc2 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production \
    RECKON_DATA_DIR=/app/data

# dependencies from the lock file only; tsx is a dev dependency and it runs the code, so keep dev deps
COPY package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src
COPY fake-wms ./fake-wms
COPY migrations ./migrations
COPY fixtures ./fixtures
COPY scripts/worker.sh ./scripts/worker.sh

RUN mkdir -p /app/data && chown node:node /app/data
USER node

# API (PORT) and the worker's Prometheus endpoint (WORKER_METRICS_PORT)
EXPOSE 3000 9464
CMD ["node_modules/.bin/tsx", "src/main/api.ts"]
