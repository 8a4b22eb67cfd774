-- Transformations (issue 29, contract §7.4): an endpoint may carry JavaScript that changes each delivery before it
-- is signed, or cancels it. A cancelled delivery is final, like a succeeded one.

-- AlterEnum
ALTER TYPE "DeliveryStatus" ADD VALUE 'cancelled';

-- AlterTable
ALTER TABLE "endpoints" ADD COLUMN "transformation" JSONB;
