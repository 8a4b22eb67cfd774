import { matchesAny } from '../common/matching/wildcard';
import { PayloadFilter } from './payload-filter';

/** Which events an endpoint wants; an absent list matches everything, and every payload condition must hold. */
export interface EndpointFilter {
  integrations?: string[];
  eventTypes?: string[];
  payload?: PayloadFilter;
}

/** Hookgate's own events (operational and test events) belong to this integration. */
export const HOOKGATE_INTEGRATION = 'hookgate';

/**
 * The routing part of a filter (integration and type), which needs nothing but the event's routing. Hookgate's own
 * events go only to endpoints whose eventTypes name them, by name or by a `hookgate.` pattern (§6.6): an endpoint
 * that takes every event (no list, or `*`) does not get them unasked.
 */
export function matchesFilter(filter: EndpointFilter, event: { integration: string; type: string }): boolean {
  if (event.integration === HOOKGATE_INTEGRATION) {
    return (filter.eventTypes ?? []).some(
      (pattern) => pattern.startsWith('hookgate.') && matchesAny(event.type, [pattern]),
    );
  }
  return matchesAny(event.integration, filter.integrations) && matchesAny(event.type, filter.eventTypes);
}

/** True when the filter has payload conditions, which need the event's envelope. */
export function hasPayloadConditions(filter: EndpointFilter): boolean {
  return Boolean(filter.payload && Object.keys(filter.payload).length);
}
