// Public API of @mcp-gateway/embeddings: a static word table and its encoder, a `TextEmbedder` of core.
export { StaticEmbedder, DEFAULT_TABLE } from './static-embedder';
