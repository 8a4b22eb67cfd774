-- Indexes earn their place (docs/indexes.md lists every index with the query that needs it). These two had none:
-- no query looks deliveries up by replay_request_id (a replay's progress is counted on its own row, reached by its
-- id), and the active-endpoints lookup reads a table of at most a few thousand rows, which a sequential scan serves.
-- Each index still cost every delivery insert and claim (or endpoint write) its upkeep.

-- DropIndex
DROP INDEX "deliveries_replay_request_id_idx";

-- DropIndex
DROP INDEX "endpoints_enabled_deleted_at_idx";
