#!/usr/bin/env node
// Applies prisma/migrations to DATABASE_URL with Prisma's WASM schema engine (same `_prisma_migrations` bookkeeping
// as `prisma migrate deploy`, no native engine binary needed). Needs `node --experimental-wasm-modules`.
//
//   node --experimental-wasm-modules scripts/migrate.js            apply pending migrations
//   node --experimental-wasm-modules scripts/migrate.js schema-sql print the SQL creating schema.prisma from nothing
// New migrations are written with `prisma migrate dev` where the native engine exists, or by hand; the drift test
// (test/integration/schema-drift.e2e-spec.ts) proves they add up to schema.prisma.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const schemaPath = path.join(root, 'prisma', 'schema.prisma');
const migrationsDir = path.join(root, 'prisma', 'migrations');
const filters = { externalTables: [], externalEnums: [] };

function readMigrations() {
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  const directories = fs.existsSync(migrationsDir)
    ? fs
        .readdirSync(migrationsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: migrationsDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: directories.map((name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: fs.existsSync(file)
            ? { tag: 'ok', value: fs.readFileSync(file, 'utf8') }
            : { tag: 'error', value: 'missing migration.sql' },
        },
      };
    }),
  };
}

async function openEngine(url, schema) {
  const { SchemaEngine } = await import('@prisma/schema-engine-wasm');
  const { PrismaPg } = require('@prisma/adapter-pg');
  const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
  const engine = await SchemaEngine.new(
    { datamodels: [['schema.prisma', schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(wholeScriptFactory(new PrismaPg({ connectionString: url }))),
  );
  return engine;
}

// @prisma/adapter-pg runs a migration script by splitting it on every ";", which breaks PL/pgSQL bodies and
// comments. Prisma's native engine sends the script as one simple-protocol query; do the same.
const openAdapters = [];

function wholeScriptFactory(factory) {
  const patch = (adapter) => {
    openAdapters.push(adapter);
    adapter.executeScript = async (script) => {
      try {
        await adapter.client.query(script);
      } catch (error) {
        adapter.onError(error);
      }
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patch(await factory.connect()),
    connectToShadowDb: async () => patch(await factory.connectToShadowDb()),
  };
}

function describe(error) {
  if (error && typeof error === 'object' && 'message' in error) return error.message;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

async function main() {
  const [command = 'deploy'] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set: it must name the PostgreSQL database to migrate.');
    process.exit(1);
  }
  const schema = fs.readFileSync(schemaPath, 'utf8');
  const engine = await openEngine(url, schema);
  try {
    if (command === 'deploy') {
      const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: readMigrations(), filters });
      console.log(
        appliedMigrationNames.length ? `Applied ${appliedMigrationNames.join(', ')}` : 'No pending migrations.',
      );
      return;
    }
    if (command === 'schema-sql') {
      // The SQL that creates schema.prisma on an empty database. The drift test compares a database built from
      // it with one built from the migrations (describing a live database through the WASM engine is not
      // possible with @prisma/adapter-pg today: it cannot decode the catalogs' "char" columns).
      const diff = await engine.diff({
        from: { tag: 'empty' },
        to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
        script: true,
        exitCode: null,
        filters,
      });
      process.stdout.write(diff.stdout ?? '');
      return;
    }
    throw new Error(`unknown command "${command}" (deploy, schema-sql)`);
  } finally {
    engine.free();
    // Close the pools the engine opened; their idle connections would otherwise keep Node alive for 10 s.
    await Promise.allSettled(openAdapters.map((adapter) => adapter.dispose()));
  }
}

main()
  // The WASM engine leaves a timer behind that would keep Node alive for ~10 s: exit once stdout is flushed.
  .then(() => process.stdout.write('', () => process.exit(process.exitCode ?? 0)))
  .catch((error) => {
    console.error(`Migration failed: ${describe(error)}`);
    process.exit(1);
  });
