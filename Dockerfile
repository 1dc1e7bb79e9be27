# hookd's container image: `docker build -t hookd .`, then see docs/deploy.md.

# Build stage: every dependency, compilers for better-sqlite3, the TypeScript build; then the production dependencies
# alone, installed from the lockfile into a clean folder, /app.
FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# better-sqlite3 is compiled here, against this Node's own headers: nothing is fetched but npm packages.
ENV npm_config_build_from_source=true npm_config_nodedir=/usr/local JOBS=max
COPY package.json package-lock.json ./
COPY packages/sdk/package.json packages/sdk/
COPY packages/server/package.json packages/server/
# Dependencies first, so a change to the sources alone leaves this layer (and the compiled better-sqlite3) cached.
# Install scripts are skipped (the root's `prepare` would build before the sources are here), then better-sqlite3's runs.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY . .
# The build; then /app: the built packages, their production dependencies from the lockfile, and better-sqlite3 as
# compiled above, without its C sources.
RUN npm run build \
 && mkdir -p /app/packages/sdk /app/packages/server \
 && cp package.json package-lock.json LICENSE /app/ \
 && cp -r packages/sdk/package.json packages/sdk/dist /app/packages/sdk/ \
 && cp -r packages/server/package.json packages/server/bin packages/server/dist /app/packages/server/ \
 && cp docker/healthcheck.mjs /app/ \
 && cd /app \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && mkdir -p node_modules/better-sqlite3/build/Release \
 && cp /src/node_modules/better-sqlite3/build/Release/better_sqlite3.node node_modules/better-sqlite3/build/Release/ \
 && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src

# Runtime stage: Node, hookd and its production dependencies; no compilers, no sources, no dev dependencies.
FROM node:24-bookworm-slim
# The packages' version; .ci/image checks the label against packages/server/package.json.
ARG VERSION=0.2.0
LABEL org.opencontainers.image.title="hookd" \
      org.opencontainers.image.description="Self-hosted webhooks: publish events, deliver them signed with retries, never lose one." \
      org.opencontainers.image.source="https://github.com/hookd/hookd" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /app /app
RUN ln -s /app/packages/server/bin/hookd.js /usr/local/bin/hookd \
 && mkdir /data && chown node:node /data
# Listen on every interface of the container; keep the SQLite file and the generated admin token on the volume (owned
# by node, so a named volume starts out writable by it).
ENV NODE_ENV=production HOOKD_HOST=0.0.0.0 HOOKD_DATA_DIR=/data
VOLUME /data
USER node
EXPOSE 8080
# /healthz on the port this process listens on: --port, or --health-port for --role worker (flags or HOOKD_* variables).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["node", "/app/healthcheck.mjs"]
# SIGTERM: hookd stops taking requests, lets in-flight deliveries finish (up to 10 s), then exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["hookd"]
CMD ["serve"]
