import { createHash } from 'node:crypto';
import { BACKEND_NAME } from '../schema';
import type { ConfigIssue } from './issues';

export interface ConvertedServers {
  converted: Record<string, unknown>;
  /** `mcpServers`, or VS Code's `servers`. */
  key: string;
  /** Backend name → the key it was derived from, for keys that are not valid names ("Brave Search"). */
  renamed: Map<string, string>;
}

/**
 * Converts the JSON `mcpServers` format used by Claude Desktop and Cursor (and VS Code's `servers`) into our YAML
 * shape. Commands there are one executable plus `args`, so the command is quoted to survive our shell split. Keys
 * there are free text, so each one that is not a valid backend name gets one derived from it; two keys that
 * would get the same name are an issue naming both.
 */
export function fromMcpServers(
  doc: Record<string, unknown>,
  issues: ConfigIssue[],
): ConvertedServers | undefined {
  const key =
    'mcpServers' in doc ? 'mcpServers' : 'servers' in doc && !('backends' in doc) ? 'servers' : undefined;
  if (!key) return undefined;
  const servers = doc[key];
  const renamed = new Map<string, string>();
  if (servers === null || typeof servers !== 'object' || Array.isArray(servers))
    return { converted: { backends: servers }, key, renamed };
  const { [key]: _, ...rest } = doc;
  const backends: Record<string, unknown> = {};
  const takenBy = new Map<string, string>();
  for (const [original, entry] of Object.entries(servers)) {
    const name = backendNameFor(original);
    const other = takenBy.get(name);
    if (other !== undefined) {
      issues.push({
        path: [key, original],
        message: `"${other}" and "${original}" would both be the backend "${name}"; rename one of them`,
      });
      continue;
    }
    takenBy.set(name, original);
    if (name !== original) renamed.set(name, original);
    backends[name] = convertEntry(entry);
  }
  return { converted: { ...rest, backends }, key, renamed };
}

/**
 * A valid backend name for a free-text key: the key itself when it is one, else lower case with accents dropped
 * and every run of other characters a `-` ("Brave Search" → `brave-search`); a key with no letter or digit to
 * keep gets `server-` and a hash of it.
 */
export function backendNameFor(key: string): string {
  if (BACKEND_NAME.test(key)) return key;
  const slug = key
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return slug || `server-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

function convertEntry(entry: unknown): unknown {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return entry;
  // Client-specific approval lists mean nothing to a gateway; `disabled` is our `enabled: false`.
  const {
    type,
    url,
    command,
    disabled,
    alwaysAllow: _a,
    autoApprove: _b,
    ...rest
  } = entry as Record<string, unknown>;
  const out: Record<string, unknown> = { ...rest };
  if (disabled !== undefined) out.enabled = typeof disabled === 'boolean' ? !disabled : disabled;
  if (typeof command === 'string') out.command = `'${command.replaceAll("'", `'\\''`)}'`;
  else if (command !== undefined) out.command = command;
  if (url !== undefined) out.http_url = url;
  const transport = typeof type === 'string' ? TYPE_TO_TRANSPORT[type] : undefined;
  if (transport) out.transport = transport;
  else if (type !== undefined) out.type = type; // left in so validation reports it as unknown
  return out;
}

const TYPE_TO_TRANSPORT: Record<string, string> = {
  stdio: 'stdio',
  http: 'http',
  'streamable-http': 'http',
  streamableHttp: 'http',
  sse: 'sse',
};
