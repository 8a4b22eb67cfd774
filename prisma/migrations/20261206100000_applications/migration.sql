-- Applications (issue 27, contract §7.1): one Hookgate serves many tenants. Everything that existed before belongs to
-- the application `default`, whose id is fixed so that the column defaults below can name it
-- (src/common/tenancy/default-application.ts).
--
-- No statement here rewrites or scans a large table, so the migration takes its locks for milliseconds whatever the
-- number of events: a column added with a constant default is a catalog change only (PostgreSQL 11+), and the tables
-- that gain one (integrations, endpoints) hold configuration, not traffic, so their foreign keys are checked in
-- moments and cost no hot path. Events and deliveries belong to the application of their integration and carry no
-- column of their own. Applications are never deleted (DELETE disables one).

-- CreateTable
CREATE TABLE "applications" (
    "id" UUID NOT NULL,
    "uid" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "rate_limit_per_second" INTEGER,
    "portal" JSONB NOT NULL DEFAULT '{}',
    "disabled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "applications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "applications_uid_key" ON "applications"("uid");

-- CreateIndex
CREATE INDEX "applications_created_at_id_idx" ON "applications"("created_at" DESC, "id" DESC);

INSERT INTO "applications" ("id", "uid", "name", "updated_at")
VALUES ('00000000-0000-7000-8000-000000000001', 'default', 'Default application', now());

-- AlterTable
ALTER TABLE "integrations" ADD COLUMN "application_id" UUID NOT NULL DEFAULT '00000000-0000-7000-8000-000000000001'::uuid;

-- AlterTable
ALTER TABLE "endpoints" ADD COLUMN "application_id" UUID NOT NULL DEFAULT '00000000-0000-7000-8000-000000000001'::uuid;

-- Slugs are unique per application. The new index is built before the old one goes, so no moment lets a duplicate in.
-- CreateIndex
CREATE UNIQUE INDEX "integrations_application_id_slug_key" ON "integrations"("application_id", "slug");

-- DropIndex
DROP INDEX "integrations_slug_key";

-- CreateIndex
CREATE INDEX "endpoints_application_id_idx" ON "endpoints"("application_id");

-- AddForeignKey
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "endpoints" ADD CONSTRAINT "endpoints_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
