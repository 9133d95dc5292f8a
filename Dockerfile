# syntax=docker/dockerfile:1
# videosvc as a container image: `docker build -t videosvc .`
# The build stage installs every dependency (the bundler is one) and bundles the service
# into dist/service; the runtime stage gets only the bundle, the production node_modules
# and bin/, runs as a non-root user, and starts node under tini with no npm in between, so
# SIGTERM from the runtime reaches node and the service drains and exits 0 (SPEC §6).
# test/deploy/dockerfile-start.test.ts runs this file's ENTRYPOINT + CMD as written.

FROM node:24-bookworm-slim AS build
# better-sqlite3 downloads a prebuilt binary when one matches; these let it compile when
# none does (another architecture, or no network to GitHub).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, so a source-only change reuses this layer. Scripts are skipped here
# because `prepare` bundles src/, which is not copied yet; the native module's own install
# script runs through the rebuild.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY bin ./bin
RUN node scripts/build.mjs && npm prune --omit=dev

FROM node:24-bookworm-slim
# tini as PID 1 forwards SIGTERM and SIGINT to node and reaps zombies. The kernel gives PID 1
# no default signal actions, so node itself as PID 1 would ignore a signal that comes before
# its handlers are installed; npm as PID 1 does not forward signals at all (issue 12:
# SIGTERM to `npm start` exited npm with 143 and left node serving). The package managers
# are removed: nothing runs them at run time, and they are code an attacker could use.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
# NODE_ENV=production: the service refuses to start without JWT_SECRET or JWT_SECRET_ID
# (no development secret file in an image). HOST: the default 127.0.0.1 would be
# unreachable from outside the container. The database goes to the /data volume.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    SQLITE_PATH=/data/videos.sqlite
WORKDIR /app
# Owned by root and read-only to the service user: the process cannot change its own code.
# No src/: bin/videosvc.mjs then runs the bundle (tsx is never loaded at run time).
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
RUN mkdir /data && chown 1000:1000 /data
VOLUME ["/data"]
# The image's `node` user, by number, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/videosvc.mjs", "serve"]
