import { Injectable } from '@nestjs/common';
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { LoadingCache } from '../common/caching/loading-cache';
import { InvalidRequestError } from '../common/errors/domain-errors';
import { ChangeFeed } from '../common/redis/change-feed';
import { EventTypeRepository } from './event-type.repository';

/** A change is announced (ChangeFeed); this bounds staleness if the announcement is lost. */
const CACHE_TTL_MS = 10_000;
/** Types looked up (with or without a schema) that this process keeps; random types must not grow the heap. */
const MAX_CACHED_TYPES = 5_000;
/** The most schema errors one answer lists. */
const MAX_ERRORS = 50;

/** Where a message fails its type's schema: a JSON Pointer into the payload (`/` for the whole of it) and why. */
export interface SchemaError {
  path: string;
  message: string;
}

function describe(errors: ErrorObject[] | null | undefined): SchemaError[] {
  return (errors ?? []).slice(0, MAX_ERRORS).map((error) => {
    const missing = (error.params as { missingProperty?: string }).missingProperty;
    const pointer = missing !== undefined ? `${error.instancePath}/${missing}` : error.instancePath;
    return { path: pointer || '/', message: error.message ?? 'is invalid' };
  });
}

/**
 * The event types' JSON Schemas (draft 2020-12, Ajv), compiled once per schema version, not per message: a type's
 * validator is looked up per application and name from a cache that any process's change to event types clears,
 * and compiled validators are kept per version (id and update time), so a reload recompiles only what changed.
 */
@Injectable()
export class EventTypeSchemas {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly validators = new LoadingCache((key) => this.load(key), CACHE_TTL_MS, MAX_CACHED_TYPES);

  constructor(
    private readonly repository: EventTypeRepository,
    changes: ChangeFeed,
  ) {
    changes.onChange('event-types', () => this.validators.clear());
  }

  /** A schema's own errors against the draft 2020-12 meta-schema (400 at creation), or none. */
  assertValidSchema(schema: Record<string, unknown>): void {
    if (this.ajv.validateSchema(schema)) {
      try {
        this.ajv.compile(schema);
        return;
      } catch (error) {
        throw new InvalidRequestError(`schema is not a usable JSON Schema: ${(error as Error).message}`);
      } finally {
        // Ajv keeps what it compiles; this was only a check.
        this.ajv.removeSchema(schema);
      }
    }
    const reasons = describe(this.ajv.errors).map((error) => `${error.path} ${error.message}`);
    throw new InvalidRequestError(`schema is not a JSON Schema (draft 2020-12): ${reasons.join('; ')}`);
  }

  /** The payload's errors against its type's schema; none when the type has no schema (or is archived). */
  async errorsOf(applicationId: string, type: string, payload: unknown): Promise<SchemaError[]> {
    const validate = await this.validators.get(`${applicationId}/${type}`);
    if (!validate || validate(payload)) return [];
    return describe(validate.errors);
  }

  private async load(key: string): Promise<ValidateFunction | null> {
    const slash = key.indexOf('/');
    const eventType = await this.repository.find(key.slice(0, slash), key.slice(slash + 1));
    if (!eventType?.schema || eventType.archived) return null;
    const version = `${eventType.id}@${eventType.updatedAt.getTime()}`;
    let validate = this.compiled.get(version);
    if (!validate) {
      validate = this.ajv.compile(eventType.schema as Record<string, unknown>);
      // An earlier version of this type's schema is dropped, here and from Ajv's own cache.
      for (const [old, earlier] of this.compiled)
        if (old.startsWith(`${eventType.id}@`)) {
          this.compiled.delete(old);
          this.ajv.removeSchema(earlier.schema);
        }
      this.compiled.set(version, validate);
    }
    return validate;
  }
}
