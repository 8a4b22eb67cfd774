-- Endpoint controls (issue 15): static headers added to every delivery, and the endpoint's own authentication
-- (bearer token or OAuth2 client credentials), stored as JSON sealed with SECRETS_ENCRYPTION_KEY like the secrets.

-- AlterTable
ALTER TABLE "endpoints" ADD COLUMN     "headers" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "auth" TEXT;
