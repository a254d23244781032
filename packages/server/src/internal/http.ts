import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import { JsonRpcErrorCode, errorMessage, type JsonRpcMessage } from '@mcp-gateway/core';

/** The largest POST body accepted unless configured otherwise: 4 MiB, as in the MCP SDK. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** MCP's code for transport-level refusals that have no JSON-RPC code of their own. */
const TRANSPORT_ERROR = -32000;

/** A refusal before any session handles the request: an HTTP status with a JSON-RPC error body. */
export function refuse(status: number, message: string, code = TRANSPORT_ERROR, headers = {}): Response {
  const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });
  return new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });
}

export interface PostedMessages {
  messages: JsonRpcMessage[];
  /** The body was a JSON array (answered as an array too). */
  batch: boolean;
}

/**
 * Reads and checks a POST body: Accept and Content-Type, size, JSON, and the JSON-RPC shape of every message.
 * Refusals come back as the Response to send (406, 415, 413, 400 with -32700 or -32600). `body` defaults to the
 * request's own; a Node server may pass its raw request stream instead, which skips building a web stream.
 */
export async function readMessages(
  request: Request,
  maxBytes: number,
  body: AsyncIterable<Uint8Array> | null = request.body,
  /** Streamable HTTP requires `Accept` to name both JSON and SSE; the 2024-11-05 transport does not. */
  checkAccept = true,
): Promise<PostedMessages | Response> {
  const accept = request.headers.get('accept') ?? '';
  const acceptsBoth =
    accept.includes('*/*') || (accept.includes('application/json') && accept.includes('text/event-stream'));
  if (checkAccept && !acceptsBoth)
    return refuse(406, 'Not Acceptable: the client must accept both application/json and text/event-stream.');
  if (!(request.headers.get('content-type') ?? '').includes('application/json'))
    return refuse(415, 'Unsupported Media Type: the body must be application/json.');
  const text = await readBounded(request, body, maxBytes);
  // The rest of the body stays unread, so the connection ends after this answer.
  if (text === undefined)
    return refuse(413, `Payload Too Large: the body exceeds ${maxBytes} bytes.`, undefined, {
      connection: 'close',
    });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return refuse(400, `Parse error: ${errorMessage(error)}`, JsonRpcErrorCode.ParseError);
  }
  const batch = Array.isArray(json);
  const messages = batch ? (json as unknown[]) : [json];
  if (messages.length === 0)
    return refuse(400, 'Invalid Request: empty batch.', JsonRpcErrorCode.InvalidRequest);
  for (const [index, message] of messages.entries()) {
    const problem = shapeProblem(message);
    if (problem) {
      const where = batch ? ` (batch item ${index})` : '';
      return refuse(400, `Invalid Request${where}: ${problem}`, JsonRpcErrorCode.InvalidRequest);
    }
  }
  return { messages: messages as JsonRpcMessage[], batch };
}

/** 400 for an `MCP-Protocol-Version` header the gateway does not speak; undefined when it is absent or fine. */
export function checkProtocolVersion(request: Request): Response | undefined {
  const version = request.headers.get('mcp-protocol-version');
  if (version === null || SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  return refuse(
    400,
    `Bad Request: unsupported MCP-Protocol-Version "${version}" (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}).`,
  );
}

/** What is wrong with one message's JSON-RPC 2.0 shape, if anything. */
function shapeProblem(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message))
    return `expected a JSON-RPC message object, found ${describe(message)}`;
  const m = message as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return `"jsonrpc" must be "2.0", found ${describe(m.jsonrpc)}`;
  const hasId = m.id !== undefined;
  if (hasId && typeof m.id !== 'string' && typeof m.id !== 'number')
    return `"id" must be a string or a number, found ${describe(m.id)}`;
  if ('method' in m) {
    if (typeof m.method !== 'string') return `"method" must be a string, found ${describe(m.method)}`;
    if (
      m.params !== undefined &&
      (typeof m.params !== 'object' || m.params === null || Array.isArray(m.params))
    )
      return `"params" must be an object, found ${describe(m.params)}`;
    return undefined;
  }
  if (!hasId) return 'a message needs "method" (request or notification) or "id" (response)';
  if ('result' in m === 'error' in m) return 'a response needs exactly one of "result" and "error"';
  if ('error' in m) {
    const error = m.error as Record<string, unknown> | null;
    if (typeof error?.code !== 'number' || typeof error.message !== 'string')
      return '"error" must be an object with a numeric "code" and a string "message"';
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The body as text, or undefined as soon as it grows past `maxBytes` (whatever Content-Length said). */
async function readBounded(
  request: Request,
  body: AsyncIterable<Uint8Array> | null,
  maxBytes: number,
): Promise<string | undefined> {
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) return undefined;
  if (!body) return '';
  if (body instanceof Readable) return readNodeStream(body, maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) return undefined; // leaving the loop cancels the rest of the body
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * {@link readBounded} for a Node stream (the raw request), by its events: the same result as iterating it, without
 * an async iterator and its promises for every request.
 */
function readNodeStream(stream: Readable, maxBytes: number): Promise<string | undefined> {
  if (stream.readableEnded) return Promise.resolve('');
  if (stream.destroyed) return Promise.reject(new Error('The request was closed before its body was read.'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      stream.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxBytes) return void chunks.push(chunk);
      settle(() => resolve(undefined));
      stream.pause(); // the rest of the body is not read: the 413 closes the connection
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks).toString('utf8')));
    const onError = (error: Error) => settle(() => reject(error));
    const onClose = () => onError(new Error('The client closed the request before its body ended.'));
    stream.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** 404 for a session id the gateway does not know (ended, never existed, or another endpoint's). */
export function sessionNotFound(): Response {
  return refuse(
    404,
    'Session not found: it ended or belongs to another endpoint. Start a new session with initialize.',
  );
}

/** Calls in flight on one session at most; more are refused (429) until some finish. */
export const MAX_CALLS_PER_SESSION = 64;

export function tooManyCalls(inFlight: number): Response {
  return refuse(
    429,
    `Too Many Requests: this session has ${inFlight} calls in flight (at most ${MAX_CALLS_PER_SESSION}); wait for some to finish.`,
    undefined,
    { 'retry-after': '1' },
  );
}

/** 503 when every session slot is taken by a session in use (none is idle to make room). */
export function sessionsFull(retryAfterS: number): Response {
  return refuse(
    503,
    `Service Unavailable: the gateway holds as many sessions as it may (max_sessions, or this client's share), all in use; retry in ${retryAfterS} s.`,
    undefined,
    { 'retry-after': String(retryAfterS) },
  );
}
