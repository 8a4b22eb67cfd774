-- One job at a time per delivery: the job attempting a delivery claims it until it records the attempt (or the
-- claim expires, when its worker died).

-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "claim_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "claimed_by" TEXT;
