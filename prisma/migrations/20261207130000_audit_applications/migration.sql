-- Audit entries name their application (issue 27, contract §7.1), so an application key reads its own trail.
-- Entries about nothing of one application (global keys, console sign-ins) have none.
--
-- A nullable column without a default is a catalog change only: no rewrite, no scan, whatever the trail's size.
-- Neither a foreign key nor an index comes with it. A foreign key would make every delivery's audit row (written in
-- the delivery's own statement) check and share-lock its application's row; the trail records facts and keeps
-- `subject_id` unreferenced for the same reason. An index would be built under a lock that stops the delivery
-- statements that append to the trail for as long as the build takes; an application's trail is read through
-- audit_entries_at_id_idx (newest first) with the application as a filter.

-- AlterTable
ALTER TABLE "audit_entries" ADD COLUMN "application_id" UUID;
