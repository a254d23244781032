import { trace } from '@opentelemetry/api';
import { logLevelRank, type LogFields, type LogLevel, type Logger } from '@mcp-gateway/core';

const SECRET_KEY = /token|secret|password|authorization|api[-_]?key|cookie/i;

/** Replaces values under secret-looking keys, at any depth, before anything is written. */
export function redact(fields: LogFields): LogFields {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      SECRET_KEY.test(key)
        ? '[redacted]'
        : value !== null && typeof value === 'object' && !Array.isArray(value)
          ? redact(value as LogFields)
          : value,
    ]),
  );
}

export interface StderrLoggerOptions {
  level: LogLevel;
  /** `json`: one JSON object a line (for collectors); `text`: for a terminal. */
  format?: 'json' | 'text';
  write?: (line: string) => void;
}

/**
 * Structured logs on stderr; stdout belongs to the protocol in stdio mode. A line written while a traced request is
 * served carries its `trace_id`.
 */
export function createStderrLogger(options: StderrLoggerOptions, bindings: LogFields = {}): Logger {
  const threshold = logLevelRank[options.level];
  const format = options.format ?? (process.stderr.isTTY ? 'text' : 'json');
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (logLevelRank[level] < threshold) return;
      const span = trace.getActiveSpan();
      const traced = span?.isRecording() ? { trace_id: span.spanContext().traceId } : {};
      const all = redact({ ...bindings, ...fields, ...traced });
      if (format === 'json') {
        write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...all }));
      } else {
        const extra = Object.entries(all).map(
          ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
        );
        write(
          `${new Date().toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${message}${extra.length ? ` ${extra.join(' ')}` : ''}`,
        );
      }
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more) => createStderrLogger({ ...options, format, write }, { ...bindings, ...more }),
  };
}
