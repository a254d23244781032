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
  max_concurrency: z.int().positive().optional(),
  max_queue: z.int().nonnegative().optional(),
});

const names = z.array(z.string().min(1));

/** `auth:` who may connect. Keys are `${ENV}`, `${file:/run/secrets/x}` or `sha256:<hex>`, never kept as given. */
const authSchema = z.strictObject({
  api_keys: z
    .array(z.strictObject({ name: z.string().min(1), key: z.string().min(1), roles: names.optional() }))
    .optional(),
  oauth: z
    .strictObject({
      issuer: z.url({ protocol: /^https?$/ }),
      audience: z.string().min(1).optional(),
      jwks_url: z.url({ protocol: /^https?$/ }).optional(),
      scopes: names.optional(),
      roles: z.record(z.string(), z.string().min(1)).optional(),
    })
    .optional(),
  public_metrics: z.boolean().optional(),
});

/** `access:` what each client or role may see and call, as `backend/item` globs; deny wins. */
const accessRuleSchema = z.strictObject({
  client: z.string().min(1).optional(),
  role: z.string().min(1).optional(),
  allow: names.optional(),
  deny: names.optional(),
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
  max_concurrency: z.int().positive().optional(),
  max_queue: z.int().nonnegative().optional(),
  session_idle_timeout: seconds.optional(),
  max_sessions: z.int().positive().optional(),
  max_sessions_per_client: z.int().positive().optional(),
  catalog_wait: seconds.optional(),
  warm_concurrency: z.int().positive().optional(),
  semantic_search: z.boolean().optional(),
  console: z.boolean().optional(),
  redis: z
    .strictObject({
      url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
      prefix: z.string().min(1).optional(),
      event_ttl: seconds.optional(),
    })
    .optional(),
  public_url: z.url({ protocol: /^https?$/ }).optional(),
  allowed_hosts: names.optional(),
  allowed_origins: names.optional(),
  auth: authSchema.optional(),
  access: z.array(accessRuleSchema).optional(),
  rate_limit: z
    .strictObject({ rate: z.number().positive(), burst: z.int().positive().optional() })
    .optional(),
  audit: z.strictObject({ enabled: z.boolean().optional(), arguments: z.boolean().optional() }).optional(),
  backends: z.record(backendNameSchema, backendInputSchema).optional(),
});

export type BackendInput = z.input<typeof backendInputSchema>;
export type GatewayInput = z.input<typeof gatewayInputSchema>;

/** The keys allowed at `path` inside `schema` (for "unknown key" messages); none where no mapping is. */
export function keysAt(schema: z.ZodType, path: (string | number)[]): string[] {
  const unwrap = (node: z.ZodType | undefined) => {
    while (node instanceof z.ZodOptional) node = node.unwrap() as z.ZodType;
    return node;
  };
  let node = unwrap(schema);
  for (const part of path) {
    if (node instanceof z.ZodObject) node = unwrap(node.shape[part] as z.ZodType | undefined);
    else if (node instanceof z.ZodArray) node = unwrap(node.element as z.ZodType);
    else if (node instanceof z.ZodRecord) node = unwrap(node.valueType as z.ZodType);
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}
