/**
 * Messages between the replicas of one fleet, each addressed to one replica by its name. The gateway uses it to
 * hand a modern-era input-required retry to the replica whose backend call its `requestState` names, and to carry
 * that call's notifications and outcome back. Delivery is at most once: whoever waits for an answer bounds the
 * wait. The Redis one is `RedisReplicaBus` in `@mcp-gateway/redis`.
 */
export interface ReplicaBus {
  /** Sends `message` (JSON-serializable) to `replica`; resolves with how many replicas of that name received it. */
  send(replica: string, message: unknown): Promise<number>;
  /** Calls `handler` with every message sent to this replica; returns the function that stops it. */
  receive(handler: (message: unknown) => void): () => void;
}
