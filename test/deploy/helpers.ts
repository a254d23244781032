import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

export { debianProgram, ok, run, waitFor, type Ran } from '@mcp-gateway/examples';
