# streamline — one image per service, all from this file:
#
#   docker build --build-arg SERVICE=iot-ingestor --build-arg PORT=3001 -t streamline/iot-ingestor .
#
# SERVICE is the Nx project (apps/<SERVICE>), PORT its HTTP port from ARCHITECTURE.md
# (iot-ingestor 3001, event-producer 3002, aggregator 3003, dlq-handler 3004, cdc-sink 3005).
# docker-compose.yml passes both.
#
# Stages:
#   deps       all dependencies (npm ci), shared by every service build
#   build      `nx build $SERVICE` -> dist/apps/$SERVICE/main.js (webpack bundles the workspace libs),
#              plus the workspace tools compose runs from this image (esbuild bundles in tools/):
#              provision-topics.js (the `topics` one-shot) and simulator.js (profile `simulator`)
#   prod-deps  production dependencies only, from the root package-lock.json
#   runtime    node + tini + prod node_modules + the bundle, as the non-root `node` user
#
# Why the root lock and not the generated dist/apps/$SERVICE/package.json: Nx derives that file
# from the import graph, so it misses packages that are required only at run time (`tslib` for
# the importHelpers output, `pg`, which TypeORM loads dynamically). The root lock installs the
# same versions the tests ran with; the production dependency set is small and shared by all.
#
# No BuildKit-only syntax (no `RUN --mount`, no `# syntax=` line, which would pull a frontend
# image): the file builds with the classic builder of `docker-compose` 1.29 and with BuildKit.
# NODE_IMAGE may name a stand-in built without a registry (docker/offline/, `npm run compose:up`).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /repo
# Stock npm ignores package.json's `allowScripts` (our npm's allow-list) and runs every install
# script; only the nx and esbuild ones matter for the build. No telemetry from the build.
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    SCARF_ANALYTICS=false \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force

# ---------------------------------------------------------------------------------------------
FROM deps AS build
# Sources and the tools first: layers every service build shares (build args only after them).
COPY . .
# The tools run from the image, as single files; their packages come from node_modules.
RUN for tool in scripts/src/provision-topics simulator/src/main; do \
      name="$(basename "$tool")"; [ "$name" = main ] && name=simulator; \
      node_modules/.bin/esbuild "tools/$tool.ts" --bundle --platform=node --target=node20 \
        --packages=external --tsconfig=tsconfig.base.json --log-level=warning \
        --outfile="dist/tools/$name.js" || exit 1; \
    done
ARG SERVICE
RUN test -n "$SERVICE" || { echo 'build arg SERVICE is required (e.g. --build-arg SERVICE=iot-ingestor)' >&2; exit 1; } \
 && test -f "apps/$SERVICE/project.json" || { echo "no such service: apps/$SERVICE" >&2; exit 1; } \
 && npx nx build "$SERVICE" --skip-nx-cache \
 && test -f "dist/apps/$SERVICE/main.js"

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV NODE_ENV=production \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json ./
# No install scripts at run time: nothing in the production set needs one.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# PID 1: tini (Debian package) reaps zombies and forwards SIGTERM/SIGINT to node. The service
# itself does the graceful part (readiness 503, consumers drain, connections close) within
# SHUTDOWN_TIMEOUT_MS (10 s), under the 15 s stop grace period of compose and Kubernetes.
# Without tini, node as PID 1 would ignore SIGTERM until the app installs its handler (after
# it listens), so a stop during start-up would wait for SIGKILL.
# /var/lib/streamline: the services' writable state (the iot-ingestor's spool), owned by `node`
# so that a named volume mounted there starts with that owner.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/streamline \
 && chown node:node /var/lib/streamline

# The build args only after the shared layers above, so all five images share them.
ARG SERVICE
ARG PORT
RUN test -n "$SERVICE" && test -n "$PORT" \
    || { echo 'build args SERVICE and PORT are required (e.g. SERVICE=iot-ingestor PORT=3001)' >&2; exit 1; }

ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    SERVICE=${SERVICE} \
    HOST=0.0.0.0 \
    PORT=${PORT}

WORKDIR /app
# Files stay owned by root: the app only reads them.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /repo/dist/apps/${SERVICE}/ ./
COPY --from=build /repo/dist/tools/ ./tools/

LABEL org.opencontainers.image.title="streamline-${SERVICE}" \
      org.opencontainers.image.licenses="Apache-2.0"

USER node
EXPOSE ${PORT}

# Ready = its brokers and database answer (GET /health/ready is 503 otherwise).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "main.js"]
