import { matchesFilter } from './endpoint-filter';

describe('endpoint filters', () => {
  const invoicePaid = { integration: 'stripe', type: 'invoice.paid' };

  it('matches everything when both lists are absent', () => {
    expect(matchesFilter({}, invoicePaid)).toBe(true);
  });

  it('needs both the integration and the type to match', () => {
    expect(matchesFilter({ integrations: ['stripe'], eventTypes: ['invoice.*'] }, invoicePaid)).toBe(true);
    expect(matchesFilter({ integrations: ['github'], eventTypes: ['invoice.*'] }, invoicePaid)).toBe(false);
    expect(matchesFilter({ integrations: ['stripe'], eventTypes: ['customer.*'] }, invoicePaid)).toBe(false);
    expect(matchesFilter({ integrations: ['stripe-*'] }, { integration: 'stripe-eu', type: 'x' })).toBe(true);
  });

  it("gives Hookgate's own events only to endpoints that name them", () => {
    const paused = { integration: 'hookgate', type: 'hookgate.endpoint.paused' };
    expect(matchesFilter({}, paused)).toBe(false);
    expect(matchesFilter({ eventTypes: ['*'] }, paused)).toBe(false);
    expect(matchesFilter({ eventTypes: ['hookgate.*'] }, paused)).toBe(true);
    expect(matchesFilter({ eventTypes: ['hookgate.endpoint.paused'], integrations: ['stripe'] }, paused)).toBe(true);
    expect(matchesFilter({ eventTypes: ['hookgate.delivery.*'] }, paused)).toBe(false);
  });
});
