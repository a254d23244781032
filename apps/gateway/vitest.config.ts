import { defineConfig } from 'vitest/config';

// These tests start real processes and sockets; graceful shutdown alone can take a few seconds.
export default defineConfig({ test: { name: 'mcp-gateway', testTimeout: 30_000, hookTimeout: 30_000 } });
