// Public API of @mcp-gateway/meta: the four meta-tools and the tool search index.
export {};
