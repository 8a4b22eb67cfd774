import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import IORedis from 'ioredis';
import { ForbiddenError } from '../common/errors/domain-errors';
import { ApiKeyGuard } from './api-key.guard';
import { PublicRoute } from './require-scope.decorator';

class Undeclared {
  handler(): void {}
}

@PublicRoute()
class Declared {
  handler(): void {}
}

const contextFor = (type: new () => { handler(): void }) =>
  ({ getHandler: () => type.prototype.handler, getClass: () => type, switchToHttp: () => ({ getRequest: () => ({ headers: {} }) }) }) as unknown as ExecutionContext;

describe('ApiKeyGuard', () => {
  // A client that never connects: these cases are decided before any key is looked up or counted.
  const redis = new IORedis({ lazyConnect: true });
  const guard = new ApiKeyGuard(new Reflector(), {} as never, {} as never, { key: () => 'k' } as never, redis, { check: () => ({ blocked: false }) } as never);

  afterAll(() => redis.disconnect());

  it('refuses a route that declares no access rule (deny by default)', async () => {
    await expect(guard.canActivate(contextFor(Undeclared))).rejects.toThrow(ForbiddenError);
  });

  it('lets a route marked public through without a key', async () => {
    await expect(guard.canActivate(contextFor(Declared))).resolves.toBe(true);
  });
});
