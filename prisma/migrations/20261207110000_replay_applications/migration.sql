-- Replays belong to an application (issue 27, contract §7.1): the application of the event, endpoint or filter they
-- were made for, so an application key sees its own only. A replay a global key made across every application has
-- none. A small table of operators' requests: the column and its key take catalog locks only.

-- AlterTable
ALTER TABLE "replay_requests" ADD COLUMN "application_id" UUID;

-- AddForeignKey
ALTER TABLE "replay_requests" ADD CONSTRAINT "replay_requests_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
