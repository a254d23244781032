/**
 * The four meta-tools as `tools/list` shows them. Every word here is paid for in the agent's context on every
 * turn, so descriptions are short and say how to go from search to invoke.
 */
export const META_TOOL_NAMES = [
  'gateway_list_servers',
  'gateway_list_tools',
  'gateway_search_tools',
  'gateway_invoke',
] as const;
export type MetaToolName = (typeof META_TOOL_NAMES)[number];

const str = (description: string) => ({ type: 'string', description });

export const META_TOOLS = [
  {
    name: 'gateway_list_servers',
    description: 'List the MCP servers behind this gateway with their descriptions, state and tool counts.',
    inputSchema: { type: 'object', properties: {} },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'gateway_list_tools',
    description:
      "List one server's tools with summaries and required arguments; detail=true adds input schemas.",
    inputSchema: {
      type: 'object',
      properties: {
        server: str('Server name'),
        detail: { type: 'boolean' },
      },
      required: ['server'],
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'gateway_search_tools',
    description:
      'Find tools: describe the one you need as its author would ("Create a GitHub issue"); +word must match; select:server/tool picks by name. Then gateway_invoke.',
    inputSchema: {
      type: 'object',
      properties: {
        query: str('What you want to do, or a tool name'),
        limit: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
        server: str('Only this server'),
      },
      required: ['query'],
    },
    outputSchema: {
      type: 'object',
      properties: {
        results: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              server: { type: 'string' },
              name: { type: 'string' },
              description: { type: 'string' },
              required: { type: 'array', items: { type: 'string' } },
              annotations: { type: 'object' },
            },
            required: ['server', 'name', 'description', 'required'],
          },
        },
      },
      required: ['results'],
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'gateway_invoke',
    description:
      "Call a tool on a server. Arguments must match the tool's input schema; the result is the tool's own.",
    inputSchema: {
      type: 'object',
      properties: { server: str('Server name'), tool: str('Tool name'), arguments: { type: 'object' } },
      required: ['server', 'tool'],
    },
  },
];
