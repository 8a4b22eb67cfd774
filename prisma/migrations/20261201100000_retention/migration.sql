-- Retention (RETENTION_RAW_AFTER, RETENTION_EVENTS_AFTER, RETENTION_AUDIT_AFTER): the worker's retention job purges
-- in bounded batches, each found through an index.

-- A raw request can be purged while its event stays: the event's link becomes NULL (GET /events/:id shows raw: null).
-- DropForeignKey
ALTER TABLE "events" DROP CONSTRAINT "events_raw_webhook_id_fkey";

-- AlterTable
ALTER TABLE "events" ALTER COLUMN "raw_webhook_id" DROP NOT NULL;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_raw_webhook_id_fkey" FOREIGN KEY ("raw_webhook_id") REFERENCES "raw_webhooks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Raw requests are purged oldest first by received_at alone; no query filters raw requests by integration.
-- DropIndex
DROP INDEX "raw_webhooks_integration_id_received_at_idx";

-- CreateIndex
CREATE INDEX "raw_webhooks_received_at_idx" ON "raw_webhooks"("received_at");

-- hookgate:extra begin (not expressible in schema.prisma; the drift test applies this block to both sides)
-- The audit trail stays append-only, with one exception: the retention job. Its transaction sets
-- hookgate.audit_purge_before (SET LOCAL, so it ends with the transaction), and only a DELETE of an entry older than
-- that instant gets through. UPDATE and TRUNCATE are always refused, and so is any DELETE without the setting.
-- This guards against application bugs and slips in ordinary SQL; it is not a barrier against a database user who
-- deliberately sets the same variable (the table's owner can drop the trigger anyway).
CREATE OR REPLACE FUNCTION "audit_entries_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD."at" < nullif(current_setting('hookgate.audit_purge_before', true), '')::timestamptz THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_entries is append-only (% refused)', TG_OP;
END;
$$;
-- hookgate:extra end
