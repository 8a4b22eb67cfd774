import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ClsModule } from 'nestjs-cls';
import { ambientTransactions } from '../database/ambient-transactions';
import { acceptableCorrelationId, CORRELATION_HEADER } from './request-context';

/**
 * Continuation-local context: the correlation id of each request (taken from `x-correlation-id` when sane, else
 * new, and echoed on the response) and the ambient Prisma transaction used by @Transactional().
 */
@Module({
  imports: [
    ClsModule.forRoot({
      global: true,
      middleware: {
        mount: true,
        generateId: true,
        idGenerator: (req: Request) => {
          const given = req.headers[CORRELATION_HEADER];
          return acceptableCorrelationId(given) ? given : randomUUID();
        },
        setup: (cls, _req: Request, res: Response) => {
          res.setHeader(CORRELATION_HEADER, cls.getId());
        },
      },
      plugins: [ambientTransactions()],
    }),
  ],
})
export class ContextModule {}
