/**
 * What a stream may hold for a client that does not read it: past this backlog the stream is dropped (one event
 * of any size still goes through on a stream that is read).
 */
export const MAX_STREAM_BACKLOG_BYTES = 8 * 1024 * 1024;

/** A byte stream's queuing strategy that counts bytes, so that `desiredSize` tells the unread backlog. */
export const BYTES: QueuingStrategy<Uint8Array> = {
  highWaterMark: MAX_STREAM_BACKLOG_BYTES,
  size: (chunk) => chunk.byteLength,
};

/** True when the client has left more than the allowed backlog unread. */
export function backlogged(controller: ReadableStreamDefaultController<Uint8Array>): boolean {
  return (controller.desiredSize ?? 0) < 0;
}
