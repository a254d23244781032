import { spawn, type ChildProcess } from 'node:child_process';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { GatewayError, silentLogger, type Logger } from '@mcp-gateway/core';
import { LineReader } from './internal/line-reader';
import { killGroup, stopProcess } from './internal/stop-process';

const STDERR_TAIL_LINES = 5;
/** What a backend inherits of the gateway's environment: enough to run, no secrets. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM'];
/** How long an exited process's stderr may take to deliver its last bytes before the exit is reported. */
const STDERR_DRAIN_MS = 100;

export interface StdioTransportOptions {
  command: string;
  args?: string[];
  /** Merged over a safe default environment (PATH, HOME, ...), not over the gateway's whole environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Receives the backend's stderr line by line. */
  logger?: Logger;
  /** How long each shutdown step (stdin close, SIGTERM) may take before the next. */
  graceMs?: number;
  /** The largest message (one stdout line) the backend may send; past it the process is killed, like a crash. */
  maxMessageBytes?: number;
}

/** 32 MiB: far past any real result, small enough that a runaway backend cannot take the gateway's memory. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/**
 * Runs an MCP backend as a child process and speaks newline-delimited JSON-RPC over its stdio. The child leads
 * its own process group, so `close()` stops wrappers (`sh -c`, `npx`) and everything they spawned.
 *
 * @example await using t = new StdioTransport({ command: 'node', args: ['server.js'] })
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  private readonly stderrTail: string[] = [];
  private closing: Promise<void> | undefined;
  private readonly logger: Logger;
  /** Why the gateway killed the process itself (a message over the limit), for the crash report. */
  private killedFor: string | undefined;
  /** Messages sent in this turn of the event loop wait, corked, to reach the pipe together. */
  private corked = false;

  constructor(private readonly options: StdioTransportOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** The child's pid (also its process group id) once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('StdioTransport already started');
    const { command, args = [], env = {}, cwd } = this.options;
    const child = spawn(command, args, {
      cwd,
      env: { ...safeEnvironment(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    this.child = child;
    const limit = this.options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    const reader = new LineReader(
      (line) => this.onLine(line),
      limit,
      () => {
        this.killedFor = `it sent a message over ${limit} bytes (the limit per message)`;
        this.logger.error(`backend killed: ${this.killedFor}`);
        killGroup(child, 'SIGKILL');
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => reader.push(chunk));
    const stderr = new LineReader((line) => {
      this.logger.info(line, { stream: 'stderr' });
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin!.on('error', () => {}); // EPIPE after the child died; 'exit' reports it.
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => {
        reject(
          new GatewayError(
            'BACKEND_START_FAILED',
            `Cannot start "${command}": ${error.message}. Check the command and cwd.`,
            { cause: error },
          ),
        );
      });
    });
    // What the process wrote last (often why it died) may still be in the pipe, or lack a final newline.
    const stderrDone = new Promise<void>((resolve) => child.stderr!.once('close', resolve));
    child.once('exit', async (code, signal) => {
      await Promise.race([stderrDone, new Promise((resolve) => setTimeout(resolve, STDERR_DRAIN_MS))]);
      stderr.flush();
      if (!this.closing) {
        this.logger.warn('backend process exited', { code, signal });
        const tail =
          this.stderrTail.length > 0 ? `; last stderr: ${this.stderrTail.join(' | ').slice(-500)}` : '';
        const how = this.killedFor
          ? `was killed: ${this.killedFor}`
          : `exited with ${signal ? `signal ${signal}` : `code ${code}`}`;
        this.onerror?.(new Error(`process ${how}${tail}`));
      }
      killGroup(child, 'SIGKILL'); // a leader that exits on its own may leave children behind
      this.onclose?.();
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || !stdin.writable)
      throw new GatewayError('BACKEND_CLOSED', 'The backend process is not running.');
    // Under load many calls go out in one turn: one write to the pipe for all of them costs one system call and
    // one wake-up of the backend instead of one each. The turn ends before any timer or the next read.
    if (!this.corked) {
      this.corked = true;
      stdin.cork();
      setImmediate(() => {
        this.corked = false;
        stdin.uncork();
      });
    }
    if (!stdin.write(`${JSON.stringify(message)}\n`)) {
      await new Promise<void>((resolve) => stdin.once('drain', resolve));
    }
  }

  /** Closes stdin, then SIGTERM, then SIGKILL to the whole process group. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.child ? stopProcess(this.child, this.options.graceMs ?? 2000) : Promise.resolve();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = JSON.parse(line) as JSONRPCMessage;
    } catch {
      // Servers that print banners to stdout break the protocol; keep going and say what was dropped.
      this.logger.warn('ignored a stdout line that is not JSON-RPC', { line: line.slice(0, 200) });
      return;
    }
    this.onmessage?.(message);
  }
}

/** The inherited variables that are set, leaving out exported shell functions (`() { ...`). */
function safeEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED) {
    const value = process.env[key];
    if (value !== undefined && !value.startsWith('()')) env[key] = value;
  }
  return env;
}
