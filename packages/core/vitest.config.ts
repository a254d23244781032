import { defineConfig } from 'vitest/config';

// Backend processes start in tests; their graceful shutdown can take a few seconds.
export default defineConfig({
  test: { name: '@mcp-gateway/core', testTimeout: 30_000, hookTimeout: 30_000 },
});
