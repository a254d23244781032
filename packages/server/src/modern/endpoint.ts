import {
  PROTOCOL_VERSION_META_KEY,
  createMcpHandler,
  isLegacyRequest,
  type McpHttpHandler,
  type Server,
  type ServerNotifier,
} from '@modelcontextprotocol/server';
import type { Logger } from '@mcp-gateway/core';
import { LOCAL_CALLER, type Caller } from '../internal/caller';

/** The modern (stateless) protocol revisions the gateway speaks (the SDK's SUPPORTED_PROTOCOL_VERSIONS are legacy). */
const MODERN_VERSIONS = ['2026-07-28'];

/**
 * Modern-era (2026-07-28) serving for one URL, beside its legacy sessions: every request is served by a fresh SDK
 * server from `factory`, which checks the per-request `_meta` envelope, answers `server/discover`, checks
 * `Mcp-Method`/`Mcp-Name` against the body (400, -32020) and serves `subscriptions/listen`.
 */
export class ModernEndpoint {
  private readonly handler: McpHttpHandler;

  constructor(
    /** A server for one request of `caller`. */
    factory: (caller: Caller) => Server | Promise<Server>,
    private readonly maxBodyBytes: number,
    logger: Logger,
  ) {
    // The caller rides with each request through the SDK's pass-through authInfo, to the factory.
    this.handler = createMcpHandler(
      (ctx) => factory((ctx.authInfo?.extra?.caller as Caller) ?? LOCAL_CALLER),
      {
        legacy: 'reject',
        maxRequestBodySize: maxBodyBytes,
        onerror: (error) => logger.debug('modern-era request failed', { error: error.message }),
      },
    );
  }

  /** Change events for open `subscriptions/listen` streams. */
  get notify(): ServerNotifier {
    return this.handler.notify;
  }

  /**
   * Whether a POST belongs to the modern era. Legacy traffic carries neither an envelope claim nor a modern protocol
   * header, so it is told apart without the SDK; anything that might be modern is classified by the SDK itself. An
   * unknown version in the header alone stays legacy traffic, which answers it as an unsupported version.
   */
  async claims(request: Request, body: unknown): Promise<boolean> {
    const header = request.headers.get('mcp-protocol-version');
    const claimed = (Array.isArray(body) ? body : [body]).some((message) => {
      const meta = (message as { params?: { _meta?: object } } | null)?.params?._meta;
      return typeof meta === 'object' && meta !== null && PROTOCOL_VERSION_META_KEY in meta;
    });
    if (!claimed && !(header && MODERN_VERSIONS.includes(header.trim()))) return false;
    return !(await isLegacyRequest(request, body, { maxRequestBodySize: this.maxBodyBytes }));
  }

  handle(request: Request, body: unknown, caller: Caller = LOCAL_CALLER): Promise<Response> {
    const authInfo = { token: '', clientId: caller.owner, scopes: [], extra: { caller } };
    return this.handler.fetch(request, { parsedBody: body, authInfo });
  }

  /** Aborts modern exchanges in flight. */
  close(): Promise<void> {
    return this.handler.close();
  }
}
