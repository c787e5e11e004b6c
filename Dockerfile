# syntax=docker/dockerfile:1
# Tessera: multi-stage build. The build stage compiles TypeScript and the better-sqlite3 addon;
# the runtime stage carries only production dependencies and runs as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY server ./server
COPY scripts ./scripts
COPY feeds ./feeds
COPY collections ./collections
# The image's Node ships its headers under /usr/local; node-gyp must not download them.
# npm ci builds the native addon and, through the prepare script, compiles the TypeScript.
RUN npm ci --nodedir=/usr/local && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    TESSERA_HOST=0.0.0.0 \
    TESSERA_PORT=8000 \
    TESSERA_STORE=sqlite:/data/tessera.db
WORKDIR /app
RUN groupadd --system tessera && useradd --system --gid tessera --home /app tessera \
 && mkdir -p /data && chown tessera:tessera /data
COPY --from=build --chown=tessera:tessera /app/node_modules ./node_modules
COPY --from=build --chown=tessera:tessera /app/dist ./dist
COPY --from=build --chown=tessera:tessera /app/package.json ./package.json
COPY --chown=tessera:tessera collections ./collections
# The admin CLI on PATH: `docker exec <container> tessera member list` works on the same store.
RUN chmod 755 dist/scripts/cli.js && ln -s /app/dist/scripts/cli.js /usr/local/bin/tessera
USER tessera
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "require('http').get('http://127.0.0.1:'+(process.env.TESSERA_PORT||8000)+'/readyz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
# Exec form, node itself as PID 1 (no shell, no npm): SIGTERM from `docker stop` reaches the hub,
# which stops in order within TESSERA_SHUTDOWN_TIMEOUT_MS (keep it below `docker stop -t`).
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/main.js"]
