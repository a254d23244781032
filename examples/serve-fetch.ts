// Serves a fetch-style handler on 127.0.0.1 with node:http, for test backends built from the SDK's server package.
import type { AddressInfo } from 'node:net';
import { listenFetch } from './fixtures/listen-fetch.mjs';

export interface LoopbackServer {
  origin: URL;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Listens on a free port; `await using` closes the server and its connections. */
export async function serveFetch(handler: (request: Request) => Promise<Response>): Promise<LoopbackServer> {
  const http = await listenFetch(handler);
  const { port } = http.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    });
  return { origin: new URL(`http://127.0.0.1:${port}`), close, [Symbol.asyncDispose]: close };
}
