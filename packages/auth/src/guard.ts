import { JsonRpcError, JsonRpcErrorCode, type ClientScope } from '@mcp-gateway/core';

type Params = Record<string, unknown> | undefined;
type Result = Record<string, unknown>;

/**
 * The item of a backend that a request reads or uses, for the access check: a tool or prompt by name, a
 * resource by URI (a completion by the prompt or resource template it completes). Undefined for methods that
 * name no item (lists, ping).
 */
export function requestedItem(method: string, params: Params): string | undefined {
  switch (method) {
    case 'tools/call':
    case 'prompts/get':
      return String(params?.name);
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return String(params?.uri);
    case 'completion/complete': {
      const ref = params?.ref as { name?: unknown; uri?: unknown } | undefined;
      return String(ref?.name ?? ref?.uri);
    }
    default:
      return undefined;
  }
}

/**
 * The error for an item the client may not see: the one a backend gives for an item it does not have, so that
 * hidden and missing look alike.
 */
export function notFound(method: string, item: string): JsonRpcError {
  if (method.startsWith('resources/'))
    return new JsonRpcError(JsonRpcErrorCode.ResourceNotFound, `Resource ${item} not found`, { uri: item });
  if (method === 'prompts/get')
    return new JsonRpcError(JsonRpcErrorCode.InvalidParams, `Prompt ${item} not found`);
  if (method === 'completion/complete')
    return new JsonRpcError(JsonRpcErrorCode.InvalidParams, `No prompt or resource template ${item}`);
  return new JsonRpcError(JsonRpcErrorCode.InvalidParams, `Unknown tool: ${item}`);
}

/**
 * Throws {@link notFound} when the request names an item of `backend` that `scope` hides. Under access rules, a
 * tool or prompt that the backend's catalog (`known`) does not list is refused the same way, so that a missing
 * item and a hidden one get the same answer, word for word.
 */
export function checkRequest(
  scope: ClientScope,
  backend: string,
  method: string,
  params: Params,
  known?: { tools: { name: string }[]; prompts: Record<string, unknown>[] },
): void {
  const item = requestedItem(method, params);
  if (item === undefined) return;
  if (!scope.allows(backend, item)) throw notFound(method, item);
  if (!scope.restricted || !known) return;
  const listed =
    method === 'tools/call'
      ? known.tools.some((t) => t.name === item)
      : method === 'prompts/get'
        ? known.prompts.some((p) => p.name === item)
        : true;
  if (!listed) throw notFound(method, item);
}

/** Which list each list method returns, and the field that names an item in it. */
const LISTS: Record<string, [list: string, field: string]> = {
  'tools/list': ['tools', 'name'],
  'prompts/list': ['prompts', 'name'],
  'resources/list': ['resources', 'uri'],
  'resources/templates/list': ['resourceTemplates', 'uriTemplate'],
};

/** A list result with the items `scope` hides taken out; other results as they are. */
export function visibleResult(scope: ClientScope, backend: string, method: string, result: Result): Result {
  const list = LISTS[method];
  if (!list || scope.identity === null || !Array.isArray(result[list[0]])) return result;
  const [key, field] = list;
  return {
    ...result,
    [key]: (result[key] as Result[]).filter((item) => scope.allows(backend, String(item[field]))),
  };
}

/** Whether a backend notification may reach a client of `scope` (a resource update only about what it sees). */
export function visibleNotification(
  scope: ClientScope,
  backend: string,
  method: string,
  params: Params,
): boolean {
  return method !== 'notifications/resources/updated' || scope.allows(backend, String(params?.uri));
}
