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

/**
 * Relays `source` (the SDK's SSE response body) to the client, read eagerly so that its backlog is ours to see:
 * a client that stops reading has its stream dropped past the bound. `onEnd` runs once when the stream ends for
 * any reason (done, dropped, cancelled by the client).
 */
export function boundedStream(
  source: ReadableStream<Uint8Array>,
  onEnd: () => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        void (async () => {
          try {
            for (;;) {
              const { done, value } = await reader.read();
              if (done) return controller.close();
              if (backlogged(controller)) {
                await reader.cancel();
                return controller.error(new Error('The client stopped reading its stream.'));
              }
              controller.enqueue(value);
            }
          } catch {
            // the client cancelled, or the source failed: either way the stream is over
          } finally {
            end();
          }
        })();
      },
      cancel: async () => {
        end();
        await reader.cancel().catch(() => {});
      },
    },
    BYTES,
  );
}
