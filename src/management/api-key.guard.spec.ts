import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError } from '../common/errors/domain-errors';
import { ApiKeyGuard } from './api-key.guard';
import { PublicRoute } from './require-scope.decorator';

class Undeclared {
  handler(this: void): void {}
}

@PublicRoute()
class Declared {
  handler(this: void): void {}
}

const contextFor = (type: new () => { handler(this: void): void }) =>
  ({
    getHandler: () => (type.prototype as { handler(this: void): void }).handler,
    getClass: () => type,
    switchToHttp: () => ({ getRequest: () => ({ headers: {} }) }),
  }) as unknown as ExecutionContext;

describe('ApiKeyGuard', () => {
  // These cases are decided before any key is looked up or counted.
  const guard = new ApiKeyGuard(
    new Reflector(),
    {} as never,
    {} as never,
    { check: () => ({ blocked: false }) } as never,
    {} as never,
    {} as never,
    {} as never,
  );

  it('refuses a route that declares no access rule (deny by default)', async () => {
    await expect(guard.canActivate(contextFor(Undeclared))).rejects.toThrow(ForbiddenError);
  });

  it('lets a route marked public through without a key', async () => {
    await expect(guard.canActivate(contextFor(Declared))).resolves.toBe(true);
  });
});
