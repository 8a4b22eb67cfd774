/**
 * SQL fragments of the deliveries table for statements of other modules (the ingress's batch statement creates its
 * events' deliveries in the same commit). `source` is a FROM item with columns `event_id` and `endpoint_id`.
 */

/** New deliveries, pending and never attempted, one per (event, endpoint) of `source` that has none yet. */
export const insertDeliveriesFrom = (source: string) => `
    INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, created_at, updated_at)
    SELECT gen_random_uuid(), event_id, endpoint_id, 'pending', 0, now(), now() FROM ${source}
    ON CONFLICT (event_id, endpoint_id) DO NOTHING
    RETURNING id, event_id, endpoint_id`;
