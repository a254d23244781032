// Public API of @mcp-gateway/meta: the four meta-tools and the tool search index.
export { ToolIndex } from './search/tool-index';
export type { ToolIndexOptions } from './search/tool-index';
export type { IndexedTool, SearchExplanation, SearchHit, SearchOptions } from './search/tool-index';
export { tokenize } from './search/tokenize';
export { MetaTools } from './meta-tools';
export type { MetaToolsOptions, ToolResult, InvokeOptions } from './meta-tools';
export { META_TOOLS, META_TOOL_NAMES } from './definitions';
export type { MetaToolName } from './definitions';
export { AggregateTools, namespacedName, MAX_TOOL_NAME } from './aggregate-tools';
export { AggregateResources, namespacedUri, parseNamespacedUri } from './aggregate-resources';
