# One image recipe for every Strata service; docker-compose.yml builds each service with its
# own arguments. By hand, from the repository root:
#   docker build --build-arg SERVICE=inventory --build-arg PORT=4001 -t strata-inventory .
# SERVICE: gateway | rest-adapter | inventory | branching | history | auth
FROM node:20-slim

ARG SERVICE
ARG PORT
ENV CI=true \
    NODE_ENV=production \
    APOLLO_TELEMETRY_DISABLED=true \
    HOST=0.0.0.0 \
    PORT=${PORT}
RUN npm install -g pnpm@10.34.8 tsx@4.20.6

WORKDIR /app
# dependencies from the lockfile alone: this layer is reused until pnpm-lock.yaml changes
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch
# sources, then only this service and its workspace dependencies; subgraphs also get their
# Prisma client generated (offline, no engine download)
COPY . .
RUN set -e; \
    case "$SERVICE" in \
      gateway|rest-adapter) dir="$SERVICE" ;; \
      inventory|branching|history|auth) dir="subgraphs/$SERVICE" ;; \
      *) echo "unknown SERVICE '$SERVICE' (gateway, rest-adapter, inventory, branching, history, auth)" >&2; exit 1 ;; \
    esac; \
    pnpm install --offline --frozen-lockfile --prod --filter "@strata/$SERVICE..."; \
    if [ -f "$dir/prisma/schema.prisma" ]; then tsx packages/db/src/cli.ts generate "$SERVICE"; fi; \
    ln -s "/app/$dir" /app/service

RUN mkdir -p /data && chown node:node /data
ENV STRATA_DATA_DIR=/data
USER node
WORKDIR /app/service
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tsx runs the TypeScript entry point and forwards SIGTERM/SIGINT to it
CMD ["tsx", "src/main.ts"]
