// For users who have Prisma's schema-engine binary: `npx prisma migrate deploy` reads the same migrations
// that `npm run db:migrate` applies through the WASM engine.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
