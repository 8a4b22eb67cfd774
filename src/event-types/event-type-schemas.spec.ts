import type { EventType } from '../generated/prisma/client';
import type { ChangeFeed } from '../common/redis/change-feed';
import { EventTypeSchemas } from './event-type-schemas';
import type { EventTypeRepository } from './event-type.repository';

/** One stored type, changed in place as an update would; the repository fake answers with it. */
function harness() {
  const row = {
    id: 'type-1',
    applicationId: 'app-1',
    name: 'invoice.paid',
    description: null,
    schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer', minimum: 0 } } },
    archived: false,
    createdAt: new Date(1_000),
    updatedAt: new Date(1_000),
  } as unknown as EventType;
  let announce = (): void => undefined;
  const changes = { onChange: (_topic: string, handler: () => void) => (announce = handler) } as unknown as ChangeFeed;
  const repository = { find: jest.fn(() => Promise.resolve(row)) } as unknown as EventTypeRepository;
  const schemas = new EventTypeSchemas(repository, changes);
  const compile = jest.spyOn((schemas as unknown as { ajv: { compile: () => unknown } }).ajv, 'compile');
  return { row, schemas, compile, announce: () => announce() };
}

describe('EventTypeSchemas', () => {
  it('compiles a schema once for every message of its version, and again only when the schema changes', async () => {
    const { row, schemas, compile, announce } = harness();
    for (let amount = -2; amount < 100; amount++) await schemas.errorsOf('app-1', 'invoice.paid', { amount });
    expect(compile).toHaveBeenCalledTimes(1);

    // Another process's change to some event type clears the lookups; this type's version is unchanged.
    announce();
    await schemas.errorsOf('app-1', 'invoice.paid', { amount: 1 });
    expect(compile).toHaveBeenCalledTimes(1);

    row.schema = { type: 'object', required: ['currency'] };
    row.updatedAt = new Date(2_000);
    announce();
    expect(await schemas.errorsOf('app-1', 'invoice.paid', { amount: 1 })).toEqual([
      { path: '/currency', message: "must have required property 'currency'" },
    ]);
    for (let i = 0; i < 10; i++) await schemas.errorsOf('app-1', 'invoice.paid', { currency: 'eur' });
    expect(compile).toHaveBeenCalledTimes(2);
  });

  it('lists every error of a message, each with its JSON Pointer', async () => {
    const { row, schemas } = harness();
    row.schema = {
      type: 'object',
      required: ['id', 'amount'],
      properties: { amount: { type: 'integer' }, lines: { type: 'array', items: { type: 'string' } } },
    };
    expect(await schemas.errorsOf('app-1', 'invoice.paid', { amount: 'x', lines: ['a', 2, 3] })).toEqual([
      { path: '/id', message: "must have required property 'id'" },
      { path: '/amount', message: 'must be integer' },
      { path: '/lines/1', message: 'must be string' },
      { path: '/lines/2', message: 'must be string' },
    ]);
  });
});
