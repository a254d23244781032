import { defineConfig } from 'vitest/config';

// Each suite run starts a backend and a gateway and makes a few hundred requests; the 2026-07-28 set waits for
// timeouts on what is not implemented yet.
export default defineConfig({
  test: { name: '@mcp-gateway/conformance', testTimeout: 240_000, hookTimeout: 60_000 },
});
