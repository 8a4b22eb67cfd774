-- Hookgate's own events (test events, operational events: contract §6.6) belong to the integration `hookgate` of
-- provider `hookgate`. It has no ingress (no adapter has that provider name, so POST /webhooks/hookgate is a 404)
-- and no secret; it is disabled so that it reads as what it is.
INSERT INTO "integrations" ("id", "slug", "provider", "secret", "enabled", "updated_at")
VALUES (gen_random_uuid(), 'hookgate', 'hookgate', '', false, now())
ON CONFLICT ("slug") DO NOTHING;
