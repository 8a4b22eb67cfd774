-- Application keys (issue 27, contract §7.1): a management key may belong to one application, and then sees and
-- changes only that application's rows; keys without one (every key so far) stay global.

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN "application_id" UUID;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
