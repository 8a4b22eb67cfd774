import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Actor, ApiKeyScope } from './api-key.types';

export const REQUIRED_SCOPE = 'hookgate:required-scope';

/** Marks a controller or route as management API needing at least this scope. Routes without it are public. */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

/** The authenticated management actor of the request (set by ApiKeyGuard). */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  return context.switchToHttp().getRequest().actor;
});
