#!/usr/bin/env node
// `prisma generate` never runs the schema engine, but Prisma 7's CLI insists on locating one and would try to
// download it (impossible offline). Pointing it at any existing file satisfies the lookup.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ||= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(
  process.execPath,
  [cli, 'generate', '--schema', path.join(__dirname, '..', 'prisma', 'schema.prisma')],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
  },
);
process.exit(result.status ?? 1);
