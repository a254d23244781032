import type { LogLevel } from './settings';

export type LogFields = Record<string, unknown>;

/** Structured logging. Implementations write to stderr: stdout belongs to the protocol in stdio mode. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line, e.g. `{ backend: 'memory' }`. */
  child(bindings: LogFields): Logger;
}

export const logLevelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger that drops everything, for tests and embedders that do not want logs. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
