import { currentTrace } from '../observability/trace-scope.ts';
import { configSource } from '../config/config-source.ts';
import { redact } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Correlation fields carried by every line of a child logger. */
export interface LogContext {
  service?: string;
  requestId?: string;
  tenantId?: string;
  callId?: string;
  /** X-Ray trace id; taken from the current trace scope when the context has none. */
  traceId?: string;
  [key: string]: unknown;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(context: LogContext): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  context?: LogContext;
  /** Where lines go; stdout by default. Tests pass a collector. */
  write?: (line: string) => void;
  /**
   * Share (0..1) of units of work — a request, a queue message, a call: each child logger given a
   * `requestId`, `messageId` or `callId` — logged at debug level whatever `level` says, so a small
   * sample of full detail is always there. `LOG_DEBUG_SAMPLE_RATE` by default.
   */
  debugSampleRate?: number;
  /** Injected for tests. */
  random?: () => number;
}

/** Context keys that start a new unit of work, where debug sampling decides afresh. */
const UNIT_KEYS = ['requestId', 'messageId', 'callId'] as const;

/**
 * An error as log fields. The stack goes with `error` lines only: those are faults someone must
 * fix; `warn` and `info` lines describe conditions the code handled (a refused request, a model
 * that cannot be reached yet, a message parked in its DLQ), where a stack is noise.
 */
function serializeError(error: unknown, withStack: boolean): unknown {
  if (!(error instanceof Error)) return error;
  const withCode = error as Error & { code?: unknown };
  return {
    name: error.name,
    message: error.message,
    code: withCode.code,
    ...(withStack ? { stack: error.stack?.split('\n').slice(0, 6).join('\n') } : {}),
    cause: error.cause instanceof Error ? serializeError(error.cause, withStack) : undefined,
  };
}

/**
 * JSON-lines logger. Messages are fixed text; data goes in fields, which are redacted by name
 * (phone numbers masked, transcripts reduced to their length, secrets removed).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  // Read from the raw config source, not the parsed config: a logger must come up (and report a
  // ConfigError) even when other settings are invalid. The schema checks both keys all the same.
  const settings = configSource();
  const minLevel = LEVEL_RANK[options.level ?? ((settings.LOG_LEVEL as LogLevel) || 'info')] ?? 20;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const context = options.context ?? {};
  const sampleRate = options.debugSampleRate ?? (Number(settings.LOG_DEBUG_SAMPLE_RATE) || 0);
  const random = options.random ?? Math.random;

  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVEL_RANK[level] < minLevel) return;
    const { err, error, ...rest } = fields ?? {};
    const line: Record<string, unknown> = {
      level,
      time: new Date().toISOString(),
      msg: message,
      ...(redact(context) as object),
      ...(redact(rest) as object),
    };
    if (line.traceId === undefined) {
      const trace = currentTrace();
      if (trace) line.traceId = trace.root;
    }
    const failure = err ?? error;
    if (failure !== undefined) line.error = serializeError(failure, level === 'error');
    write(JSON.stringify(line));
  };

  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (extra) => {
      const newUnit = UNIT_KEYS.some((key) => extra[key] !== undefined && extra[key] !== context[key]);
      const sampled = newUnit && sampleRate > 0 && random() < sampleRate;
      return createLogger({
        ...options,
        level: sampled ? 'debug' : options.level,
        write,
        context: { ...context, ...extra, ...(sampled ? { debugSampled: true } : {}) },
      });
    },
  };
}
