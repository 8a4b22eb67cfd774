-- Endpoint controls (issue 15): at most this many delivery attempts per second to the endpoint, across every worker.

-- AlterTable
ALTER TABLE "endpoints" ADD COLUMN     "rate_limit_per_second" INTEGER;
