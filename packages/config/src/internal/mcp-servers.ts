/**
 * Converts the JSON `mcpServers` format used by Claude Desktop and Cursor (and VS Code's `servers`) into our YAML
 * shape. Commands there are one executable plus `args`, so the command is quoted to survive our shell split.
 */
export function fromMcpServers(
  doc: Record<string, unknown>,
): { converted: Record<string, unknown>; key: string } | undefined {
  const key =
    'mcpServers' in doc ? 'mcpServers' : 'servers' in doc && !('backends' in doc) ? 'servers' : undefined;
  if (!key) return undefined;
  const servers = doc[key];
  if (servers === null || typeof servers !== 'object' || Array.isArray(servers))
    return { converted: { backends: servers }, key };
  const { [key]: _, ...rest } = doc;
  const backends = Object.fromEntries(
    Object.entries(servers).map(([name, entry]) => [name, convertEntry(entry)]),
  );
  return { converted: { ...rest, backends }, key };
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
