import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { InvalidRequestError } from '../errors/domain-errors';

/** The path of the first `null` in a JSON body, or undefined when there is none. */
function firstNull(value: unknown, path = ''): string | undefined {
  if (value === null) return path || '(body)';
  if (typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = firstNull(item, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

/**
 * Every route's input validation: class-validator DTOs (unknown fields refused, types checked), and no `null`
 * anywhere in a body (contract §6.4): `@IsOptional()` lets null through, and a field is either given or left out.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false });
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      const path = firstNull(value);
      if (path) throw new InvalidRequestError(`${path} must not be null: leave a field out instead`);
    }
    return super.transform(value, metadata);
  }
}
