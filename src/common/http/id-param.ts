import { Param, ParseUUIDPipe } from '@nestjs/common';
import { InvalidRequestError } from '../errors/domain-errors';

const UUID_PIPE = new ParseUUIDPipe({ exceptionFactory: () => new InvalidRequestError('id must be a UUID') });

/** The `:id` route parameter, a UUID, or a 400 with the contract's error body. */
export const IdParam = (): ParameterDecorator => Param('id', UUID_PIPE);
