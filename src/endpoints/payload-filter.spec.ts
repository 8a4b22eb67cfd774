import { InvalidRequestError } from '../common/errors/domain-errors';
import { assertValidPayloadFilter, matchesPayload, valueAt } from './payload-filter';

describe('payload filters', () => {
  const envelope = {
    type: 'invoice.paid',
    data: {
      livemode: true,
      object: { currency: 'eur', amount: 1500, customer: 'cus_1', note: null, lines: [{ id: 'li_1' }] },
    },
  };

  it('reads dotted paths, array indexes included', () => {
    expect(valueAt(envelope, 'data.object.amount')).toBe(1500);
    expect(valueAt(envelope, 'data.object.lines.0.id')).toBe('li_1');
    expect(valueAt(envelope, 'data.object.missing.deeper')).toBeUndefined();
  });

  it('holds the contract example, and each condition can fail it', () => {
    const filter = {
      'data.object.currency': 'eur',
      'data.object.amount': { gte: 1000 },
      'data.livemode': { in: [true] },
      'data.object.customer': { exists: true },
    };
    expect(matchesPayload(filter, envelope)).toBe(true);
    expect(matchesPayload({ ...filter, 'data.object.currency': 'usd' }, envelope)).toBe(false);
    expect(matchesPayload({ ...filter, 'data.object.amount': { gte: 2000 } }, envelope)).toBe(false);
    expect(matchesPayload({ ...filter, 'data.livemode': { in: [false] } }, envelope)).toBe(false);
    expect(matchesPayload({ ...filter, 'data.object.customer': { exists: false } }, envelope)).toBe(false);
  });

  it('compares only like with like, treats null as present, combines operators', () => {
    expect(matchesPayload({ 'data.object.currency': { gte: 1 } }, envelope)).toBe(false);
    expect(matchesPayload({ 'data.object.note': { exists: true } }, envelope)).toBe(true);
    expect(matchesPayload({ 'data.object.amount': { gte: 1000, lte: 1500 } }, envelope)).toBe(true);
    expect(matchesPayload({ 'data.object.amount': { gte: 1000, lte: 1499 } }, envelope)).toBe(false);
    expect(matchesPayload({ type: { gte: 'invoice.a', lte: 'invoice.z' } }, envelope)).toBe(true);
    expect(matchesPayload({}, envelope)).toBe(true);
    expect(matchesPayload(undefined, envelope)).toBe(true);
  });

  it.each([
    [{ 'data.amount': { gt: 1 } }, 'unknown operator "gt"'],
    [{ 'data.amount': {} }, 'empty condition'],
    [{ 'data.currency': { in: 'eur' } }, 'in must be an array'],
    [{ 'data.amount': { gte: true } }, 'number or a string'],
    [{ 'data.x': { exists: 'yes' } }, 'true or false'],
    [{ 'data..x': 1 }, 'dotted path'],
    [[1], 'must be an object'],
  ])('refuses %j', (filter, message) => {
    expect(() => assertValidPayloadFilter(filter)).toThrow(InvalidRequestError);
    expect(() => assertValidPayloadFilter(filter)).toThrow(message);
  });
});
