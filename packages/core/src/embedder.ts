/**
 * Turns text into vectors whose dot product says how alike two texts are in meaning: the semantic arm of tool
 * search. `meta` uses it when the app wires one in (`@mcp-gateway/embeddings` has a static table); without one,
 * search is lexical only.
 */
export interface TextEmbedder {
  readonly dimensions: number;
  /** The words of `text` that have a vector, as {@link TextEmbedder.embed} takes them (lower case, in order). */
  words(text: string): string[];
  /**
   * The weighted mean of the words' vectors, scaled to length 1; undefined when none of them has a vector.
   * `weight`: how much each word counts (1 when absent), e.g. its inverse document frequency in the catalog.
   */
  embed(words: string[], weight?: (word: string) => number): Float32Array | undefined;
}
