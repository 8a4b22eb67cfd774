import { matchesAny } from '../common/matching/wildcard';
import { PayloadFilter } from './payload-filter';

/** Which events an endpoint wants; an absent list matches everything, and every payload condition must hold. */
export interface EndpointFilter {
  integrations?: string[];
  eventTypes?: string[];
  payload?: PayloadFilter;
}

/** The routing part of a filter (integration and type), which needs nothing but the event's routing. */
export function matchesFilter(filter: EndpointFilter, event: { integration: string; type: string }): boolean {
  return matchesAny(event.integration, filter.integrations) && matchesAny(event.type, filter.eventTypes);
}

/** True when the filter has payload conditions, which need the event's envelope. */
export function hasPayloadConditions(filter: EndpointFilter): boolean {
  return Boolean(filter.payload && Object.keys(filter.payload).length);
}
