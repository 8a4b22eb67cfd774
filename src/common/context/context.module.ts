import { randomUUID } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ClsModule } from 'nestjs-cls';
import { ambientTransactions } from '../database/ambient-transactions';
import { TenantContext } from '../tenancy/tenant-context';
import { acceptableCorrelationId, CORRELATION_HEADER } from './request-context';

/**
 * Continuation-local context: the correlation id of each request (taken from `x-correlation-id` when sane, else
 * new, and echoed on the response), the ambient Prisma transaction used by @Transactional(), and the application
 * a management request is confined to (TenantContext; global, as nearly every module's service asks it).
 */
@Global()
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
  providers: [TenantContext],
  exports: [TenantContext],
})
export class ContextModule {}
