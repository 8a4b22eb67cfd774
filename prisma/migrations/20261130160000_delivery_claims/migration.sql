-- One job at a time per delivery: the job attempting a delivery claims it until it records the attempt (or the
-- claim expires, when its worker died). And every dead letter reaches the BullMQ dead-letter queue: parking is
-- recorded, so the maintenance sweep parks what a Redis failure left out.

-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "claim_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "claimed_by" TEXT,
ADD COLUMN     "dead_letter_parked_at" TIMESTAMPTZ(3);

-- Dead letters from before were parked when they were dead-lettered.
UPDATE "deliveries" SET "dead_letter_parked_at" = "dead_lettered_at" WHERE "status" = 'dead_lettered';
