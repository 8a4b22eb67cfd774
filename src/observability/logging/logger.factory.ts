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
  if (typeof info.message === 'string') info.message = redact(info.message) as string;
  return info;
})();

export interface LoggerOptions {
  /** Also hand every finished record to this function (tests capture logs with it). */
  sink?: (record: Record<string, unknown>) => void;
  /** Write JSON lines to stdout (default true). */
  console?: boolean;
}

/** JSON lines on stdout: `level`, `message`, `timestamp`, `role`, `correlationId`, `traceId`, `eventId`… */
export function createLogger(role: string, level: string, options: LoggerOptions = {}): LoggerService {
  const format = winston.format.combine(
    winston.format.timestamp(),
    contextFormat(role),
    winston.format.errors({ stack: true }),
    redactFormat,
    winston.format.json(),
  );
  const transports: winston.transport[] = [];
  if (options.console ?? true) transports.push(new winston.transports.Console({ format }));
  if (options.sink) {
    const sink = options.sink;
    transports.push(
      new winston.transports.Stream({
        format,
        stream: new Writable({
          objectMode: true,
          write(record: Record<string, unknown>, _encoding, done) {
            sink(JSON.parse(JSON.stringify(record)));
            done();
          },
        }),
      }),
    );
  }
  return WinstonModule.createLogger({ level, transports });
}
