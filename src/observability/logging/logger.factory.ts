import { Writable } from 'node:stream';
import { LoggerService } from '@nestjs/common';
import { WinstonModule } from 'nest-winston';
import * as winston from 'winston';
import { currentContextIds, currentCorrelationId, currentTraceId } from '../../common/context/request-context';
import { redact } from './redaction';

/** Adds role, correlation id, trace id and the event/delivery ids known in the current context to every line. */
const contextFormat = (role: string) =>
  winston.format((info) => {
    info.role = role;
    info.correlationId ??= currentCorrelationId() ?? null;
    info.traceId ??= currentTraceId();
    const ids = currentContextIds();
    if (ids.eventId) info.eventId ??= ids.eventId;
    if (ids.deliveryId) info.deliveryId ??= ids.deliveryId;
    return info;
  })();

/** Secrets never reach a log line: secret-looking keys and every registered secret value are replaced. */
const redactFormat = winston.format((info) => {
  const cleaned = redact({ ...info }) as Record<string, unknown>;
  for (const key of Object.keys(cleaned)) (info as Record<string, unknown>)[key] = cleaned[key];
  if (typeof info.message === 'string') info.message = redact(info.message);
  return info;
})();

/** Fields every record carries; the pretty format shows them in its prefix (or not at all) instead of the tail. */
const PREFIX_FIELDS = new Set([
  'level',
  'message',
  'timestamp',
  'context',
  'role',
  'correlationId',
  'traceId',
  'stack',
]);

/** One short coloured line for a person at a terminal: `12:00:01.234 info  [Context] message key=value…`. */
const prettyFormat = winston.format.combine(
  winston.format.colorize({ level: true }),
  winston.format.printf((info) => {
    const time = String(info.timestamp).slice(11, 23);
    const context = typeof info.context === 'string' ? `[${info.context}] ` : '';
    const extras = Object.entries(info)
      .filter(([key, value]) => !PREFIX_FIELDS.has(key) && value !== null && value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    const stack = typeof info.stack === 'string' ? `\n${info.stack}` : '';
    const message = typeof info.message === 'string' ? info.message : JSON.stringify(info.message);
    return `${time} ${info.level} ${context}${message}${extras.length ? `  ${extras.join(' ')}` : ''}${stack}`;
  }),
);

/** Nest's start-up chatter (one line per module, route and mapping): useful when debugging, noise otherwise. */
const FRAMEWORK_CHATTER = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** Passes everything to the winston logger, but Nest's start-up chatter at `debug` instead of `info`. */
class FrameworkChatterAtDebug implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    if (FRAMEWORK_CHATTER.has(rest[rest.length - 1] as string)) this.inner.debug?.(message, ...rest);
    else this.inner.log(message, ...rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.inner.error(message, ...rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...rest);
  }
}

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  /** Also hand every finished record to this function (tests capture logs with it). */
  sink?: (record: Record<string, unknown>) => void;
  /** Write to stdout (default true). */
  console?: boolean;
  /** How stdout lines look (default `json`); the sink always receives the JSON records. */
  format?: LogFormat;
}

/**
 * Log lines on stdout: JSON (`level`, `message`, `timestamp`, `role`, `correlationId`, `traceId`, `eventId`…) for
 * machines, or one short coloured line per record for a person (`format: 'pretty'`).
 */
export function createLogger(role: string, level: string, options: LoggerOptions = {}): LoggerService {
  const base = [winston.format.timestamp(), contextFormat(role), winston.format.errors({ stack: true }), redactFormat];
  const format = winston.format.combine(...base, winston.format.json());
  const consoleFormat = options.format === 'pretty' ? winston.format.combine(...base, prettyFormat) : format;
  const transports: winston.transport[] = [];
  if (options.console ?? true) transports.push(new winston.transports.Console({ format: consoleFormat }));
  if (options.sink) {
    const sink = options.sink;
    transports.push(
      new winston.transports.Stream({
        format,
        stream: new Writable({
          objectMode: true,
          write(record: Record<string, unknown>, _encoding, done) {
            sink(JSON.parse(JSON.stringify(record)) as Record<string, unknown>);
            done();
          },
        }),
      }),
    );
  }
  return new FrameworkChatterAtDebug(WinstonModule.createLogger({ level, transports }));
}
