-- Endpoint controls (issue 15): an operator pauses an endpoint; its deliveries wait (without using attempts) until
-- it is resumed.

-- AlterTable
ALTER TABLE "endpoints" ADD COLUMN     "paused_at" TIMESTAMPTZ(3);
