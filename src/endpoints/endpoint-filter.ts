import { matchesAny } from '../common/matching/wildcard';

/** Which events an endpoint wants; an absent list matches everything. */
export interface EndpointFilter {
  integrations?: string[];
  eventTypes?: string[];
}

export function matchesFilter(filter: EndpointFilter, event: { integration: string; type: string }): boolean {
  return matchesAny(event.integration, filter.integrations) && matchesAny(event.type, filter.eventTypes);
}
