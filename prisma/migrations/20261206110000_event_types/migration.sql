-- Event types (issue 29, contract §7.3): each application's catalog of event types, with an optional JSON Schema
-- that the generic provider's messages of that type must satisfy.

-- CreateTable
CREATE TABLE "event_types" (
    "id" UUID NOT NULL,
    "application_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "schema" JSONB,
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "event_types_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "event_types_application_id_name_key" ON "event_types"("application_id", "name");

-- AddForeignKey
ALTER TABLE "event_types" ADD CONSTRAINT "event_types_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
