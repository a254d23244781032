/**
 * Stable codes for everything that can go wrong in the gateway. Callers branch on `code`, never on message text.
 */
export type GatewayErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'USAGE'
  | 'BACKEND_NOT_FOUND'
  | 'BACKEND_START_FAILED'
  | 'BACKEND_START_TIMEOUT'
  | 'BACKEND_CLOSED'
  | 'BACKEND_UNAVAILABLE'
  | 'BACKEND_BUSY'
  | 'BACKEND_ERROR'
  | 'SESSION_EXPIRED'
  | 'REQUEST_TIMEOUT'
  | 'REQUEST_CANCELLED'
  | 'TOOL_NOT_FOUND'
  | 'INVALID_ARGUMENTS'
  | 'GATEWAY_CLOSED';

/**
 * The one local error type of the gateway: a stable `code`, a message that says what happened, to what, and what
 * to do, and optional structured `details`. Mapping to JSON-RPC or HTTP happens once, at the edge.
 *
 * @example throw new GatewayError('BACKEND_NOT_FOUND', 'No backend "foo". Configured: everything, memory.')
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: GatewayErrorCode;
  readonly details: unknown;

  constructor(code: GatewayErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** The error for a backend name that is not configured, naming those that are. */
export function backendNotFound(name: string, configured: string[]): GatewayError {
  const known = configured.join(', ') || '(none configured)';
  return new GatewayError('BACKEND_NOT_FOUND', `No backend named "${name}". Configured backends: ${known}.`);
}

/** True for a {@link GatewayError}, optionally of one code. */
export function isGatewayError(error: unknown, code?: GatewayErrorCode): error is GatewayError {
  return error instanceof GatewayError && (code === undefined || error.code === code);
}

/** The message of anything thrown, for logs and health reports. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
