import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const QUIET_PATHS = /^\/(health|metrics)/;
const logger = new Logger('HTTP');

/** One line per request with its duration; health checks and scrapes only at debug level. No query strings. */
export function requestLogger(request: Request, response: Response, next: NextFunction): void {
  const started = performance.now();
  response.on('finish', () => {
    const line = {
      message: 'request',
      method: request.method,
      path: request.originalUrl.split('?')[0],
      status: response.statusCode,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      correlationId: response.getHeader('x-correlation-id'),
    };
    if (QUIET_PATHS.test(line.path)) logger.debug(line);
    else logger.log(line);
  });
  next();
}
