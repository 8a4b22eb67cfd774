-- Events in status `received` are the outbox: ingest writes the event and its raw request in one statement, and
-- the relay looks for accepted events not yet handed to BullMQ. The outbox table is no longer written.

-- An event still `received` whose outbox row says it reached BullMQ is `queued`.
UPDATE "events" SET "status" = 'queued'
WHERE "status" = 'received' AND EXISTS (SELECT 1 FROM "outbox" o WHERE o."event_id" = "events"."id" AND o."status" = 'enqueued');

-- DropForeignKey
ALTER TABLE "outbox" DROP CONSTRAINT "outbox_event_id_fkey";

-- DropTable
DROP TABLE "outbox";

-- DropEnum
DROP TYPE "OutboxStatus";

-- hookgate:extra begin (not expressible in schema.prisma; the drift test applies this block to both sides)
-- The relay's and readiness's view of the outbox: only the few accepted events not yet handed over.
CREATE INDEX "events_received_outbox_idx" ON "events"("received_at") WHERE "status" = 'received';
-- hookgate:extra end
