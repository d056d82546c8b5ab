// Structured logging for every component. One JSON object per line on stderr (stdout is kept for
// what a command prints for the user, such as the ready line), unless stderr is a terminal: then
// compact human lines. The level comes from K8TS_LOG_LEVEL (default info); K8TS_LOG_FORMAT=json|text
// overrides the terminal detection.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export type LogFormat = 'json' | 'text';

export interface LoggerOptions {
  /** trace, debug, info, warn, error, fatal or silent. Default: $K8TS_LOG_LEVEL, else info. */
  level?: string;
  /** Where lines go. Default: stderr. */
  destination?: DestinationStream;
  /** Default: $K8TS_LOG_FORMAT, else text on a terminal and json otherwise. */
  format?: LogFormat;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The level to use: the option, else $K8TS_LOG_LEVEL, else info. Throws on an unknown name. */
export function resolveLevel(level?: string): string {
  const chosen = (level ?? process.env.K8TS_LOG_LEVEL ?? 'info').trim().toLowerCase() || 'info';
  if (!LEVELS.includes(chosen)) {
    throw new Error(`unknown log level ${JSON.stringify(chosen)} (use one of ${LEVELS.join(', ')})`);
  }
  return chosen;
}

function resolveFormat(format?: LogFormat): LogFormat {
  const env = process.env.K8TS_LOG_FORMAT;
  if (format) return format;
  if (env === 'json' || env === 'text') return env;
  return process.stderr.isTTY ? 'text' : 'json';
}

function baseOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** Turns pino's JSON lines into text lines before they reach the real destination. */
function textDestination(out: { write(s: string): unknown }, color: boolean): DestinationStream {
  return { write: (line: string) => void out.write(formatLogLine(line, color)) };
}

// One root per default destination, so components share a single stderr writer.
const roots = new Map<LogFormat, Logger>();

function rootFor(format: LogFormat): Logger {
  let root = roots.get(format);
  if (!root) {
    // Synchronous: a log line written just before process.exit must not be lost.
    const stderr = pino.destination({ dest: 2, sync: true });
    const color = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
    root = pino(baseOptions('trace'), format === 'text' ? textDestination(stderr, color) : stderr);
    roots.set(format, root);
  }
  return root;
}

// Each logger made here → the logger without a component binding it was derived from, so a
// sub-component's logger replaces `component` instead of adding a second one.
const bases = new WeakMap<Logger, Logger>();

function withComponent(base: Logger, component: string, level: string): Logger {
  const log = base.child({ component }, { level });
  bases.set(log, base);
  return log;
}

/** A logger whose lines carry `component`. */
export function createLogger(component: string, opts: LoggerOptions = {}): Logger {
  const level = resolveLevel(opts.level);
  const format = resolveFormat(opts.format);
  if (!opts.destination) return withComponent(rootFor(format), component, level);
  const dest = format === 'text' ? textDestination(opts.destination, false) : opts.destination;
  return withComponent(pino(baseOptions(level), dest), component, level);
}

/**
 * The same destination and level, for another component: what a command passes to the parts it
 * starts (`componentLogger(log, 'apiserver')`). Other fields bound on `parent` are not kept.
 */
export function componentLogger(parent: Logger, component: string): Logger {
  const base = bases.get(parent);
  return base ? withComponent(base, component, parent.level) : parent.child({ component });
}

const LEVEL_COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[90m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[31m',
};

/**
 * One JSON log line as text: `15:04:05.000 INFO  component: message key=value …`, with an
 * error's stack indented below it. Lines that are not JSON objects pass through unchanged.
 */
export function formatLogLine(line: string, color: boolean): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof rec !== 'object' || rec === null) return line;
  const { time, level, msg, component, err, ...fields } = rec;
  const clock = typeof time === 'string' ? time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const label = String(level ?? 'info');
  const paint = (s: string) => (color ? `${LEVEL_COLORS[label] ?? ''}${s}\x1b[0m` : s);
  let out = `${clock} ${paint(label.toUpperCase().padEnd(5))} ${component ? `${String(component)}: ` : ''}${String(msg ?? '')}`;
  for (const [key, value] of Object.entries(fields)) out += ` ${key}=${formatValue(value)}`;
  let stack = '';
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; stack?: unknown };
    out += ` err=${formatValue(e.message ?? err)}`;
    if (typeof e.stack === 'string') stack = e.stack.split('\n').slice(1).map((l) => `    ${l.trim()}\n`).join('');
  } else if (err !== undefined) {
    out += ` err=${formatValue(err)}`;
  }
  return `${out}\n${stack}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
