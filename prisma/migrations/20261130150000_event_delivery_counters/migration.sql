-- Delivery counters on events: recording an attempt updates them in the same statement, and the event's status
-- follows from them, so sibling deliveries no longer lock the event and count each other.

-- AlterTable
ALTER TABLE "events" ADD COLUMN     "deliveries_dead_lettered" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "deliveries_open" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "deliveries_succeeded" INTEGER NOT NULL DEFAULT 0;

-- Existing events count their deliveries once.
UPDATE "events" e SET
  "deliveries_open" = c.open, "deliveries_succeeded" = c.ok, "deliveries_dead_lettered" = c.dead
FROM (SELECT "event_id",
             count(*) FILTER (WHERE "status" IN ('pending', 'in_flight', 'retrying')) AS open,
             count(*) FILTER (WHERE "status" = 'succeeded') AS ok,
             count(*) FILTER (WHERE "status" = 'dead_lettered') AS dead
      FROM "deliveries" GROUP BY "event_id") c
WHERE c."event_id" = e."id";
