# MCP Gateway as a container: built with pnpm, run from its packed CLI on node:22-slim as the unprivileged user
# `node`. Mount your configuration at /etc/mcp-gateway/servers.yaml; the catalog cache lives in the volume
# /var/lib/mcp-gateway. See "Production deployment" in README.md.
FROM node:22-slim AS build
RUN npm install -g pnpm@10.34.9
WORKDIR /src
COPY . .
# Only the CLI and the workspace packages it bundles are installed and built.
RUN pnpm install --frozen-lockfile --filter mcp-gateway... \
 && pnpm --filter mcp-gateway pack --pack-destination /out

FROM node:22-slim
COPY --from=build /out/ /tmp/pack/
# The tarball has no dependencies (everything is bundled), so this install needs no registry.
RUN npm install -g --offline --no-audit --no-fund /tmp/pack/mcp-gateway-*.tgz \
 && rm -rf /tmp/pack \
 && mkdir -p /etc/mcp-gateway /var/lib/mcp-gateway \
 && chown node:node /var/lib/mcp-gateway
# In a container the gateway listens on every interface (publish the port to choose who reaches it); the flags
# --host and --port still win. STATE_DIRECTORY is where the gateway keeps its state, as under systemd.
ENV MCP_GATEWAY_HOST=0.0.0.0 \
    MCP_GATEWAY_PORT=39400 \
    STATE_DIRECTORY=/var/lib/mcp-gateway \
    NODE_COMPILE_CACHE=/var/cache/mcp-gateway
# Node 22 keeps the compiled bundle in NODE_COMPILE_CACHE; compiling it once here spares every container's start.
RUN mcp-gateway --version
VOLUME /var/lib/mcp-gateway
EXPOSE 39400
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.MCP_GATEWAY_PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["mcp-gateway"]
CMD ["--config", "/etc/mcp-gateway/servers.yaml"]
