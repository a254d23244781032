// Serves a fetch-style handler on 127.0.0.1 with node:http, for test backends built from the SDK's server package.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  origin: URL;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function serveFetch(handler: (request: Request) => Promise<Response>): Promise<LoopbackServer> {
  const http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers))
      if (typeof value === 'string') headers.set(key, value);
    const body = req.method === 'POST' ? Buffer.concat(chunks) : undefined;
    const response = await handler(
      new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) for await (const chunk of response.body) res.write(chunk);
    res.end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    });
  return { origin: new URL(`http://127.0.0.1:${port}`), close, [Symbol.asyncDispose]: close };
}
