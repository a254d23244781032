import { z } from 'zod';

const seconds = z.number().nonnegative();
const stringMap = z.record(z.string(), z.string());

/** Backend names appear in URLs (`/mcp/{name}`) and tool names (`name__tool`). */
export const BACKEND_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const backendNameSchema = z.string().regex(BACKEND_NAME);

/** One backend as written in YAML. Timeouts are in seconds. */
export const backendInputSchema = z.strictObject({
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: stringMap.optional(),
  cwd: z.string().min(1).optional(),
  http_url: z.url({ protocol: /^https?$/ }).optional(),
  headers: stringMap.optional(),
  transport: z.enum(['auto', 'stdio', 'http', 'sse']).optional(),
  description: z.string().optional(),
  start_timeout: seconds.optional(),
  request_timeout: seconds.optional(),
  idle_timeout: seconds.optional(),
  isolation: z.enum(['shared', 'per-session']).optional(),
  enabled: z.boolean().optional(),
});

/** The whole gateway configuration as written in YAML (the original README's format). */
export const gatewayInputSchema = z.strictObject({
  port: z.int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  enable_meta_mcp: z.boolean().optional(),
  mode: z.enum(['meta', 'aggregate']).optional(),
  log_level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  state_dir: z.string().min(1).optional(),
  start_timeout: seconds.optional(),
  request_timeout: seconds.optional(),
  idle_timeout: seconds.optional(),
  backends: z.record(backendNameSchema, backendInputSchema).optional(),
});

export type BackendInput = z.input<typeof backendInputSchema>;
export type GatewayInput = z.input<typeof gatewayInputSchema>;

export const BACKEND_KEYS = Object.keys(backendInputSchema.shape);
export const TOP_LEVEL_KEYS = Object.keys(gatewayInputSchema.shape);
