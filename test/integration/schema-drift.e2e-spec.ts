import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createEmptyDatabase, TestDatabase } from '../support/database';

// The migrations must build exactly the schema that schema.prisma describes. Database A is built by applying
// prisma/migrations with `npm run db:migrate`'s script; database B from the SQL the schema engine derives from
// schema.prisma alone, plus the migrations' hand-written extras (marked blocks: triggers schema.prisma cannot
// express). Their pg_dump schemas must be identical.

const root = join(__dirname, '..', '..');
const migrationsDir = join(root, 'prisma', 'migrations');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- scripts/ are CommonJS without types
const { postgresBinDir } = require(join(root, 'scripts', 'services.js')) as { postgresBinDir: () => string };

async function node(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--experimental-wasm-modules', '--disable-warning=ExperimentalWarning', ...args],
    {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  return stdout;
}

function handWrittenExtras(): string {
  return readdirSync(migrationsDir)
    .filter((name) => !name.endsWith('.toml'))
    .sort()
    .flatMap((name) => {
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8');
      return [...sql.matchAll(/-- hookgate:extra begin[^\n]*\n([\s\S]*?)-- hookgate:extra end/g)].map(
        (match) => match[1],
      );
    })
    .join('\n');
}

function schemaDump(url: string): string {
  const dump = execFileSync(
    join(postgresBinDir(), 'pg_dump'),
    ['--schema-only', '--no-owner', '--no-privileges', '--exclude-table=_prisma_migrations', url],
    {
      encoding: 'utf8',
    },
  );
  return dump
    .split('\n')
    .filter(
      (line) =>
        line.trim() !== '' &&
        !line.startsWith('--') &&
        !line.startsWith('SET ') &&
        !line.startsWith('SELECT pg_catalog.set_config') &&
        !line.startsWith('\\'),
    )
    .join('\n');
}

async function execute(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('migrations and schema.prisma', () => {
  let fromMigrations: TestDatabase;
  let fromSchema: TestDatabase;

  beforeAll(async () => {
    [fromMigrations, fromSchema] = await Promise.all([createEmptyDatabase(), createEmptyDatabase()]);
  });

  afterAll(async () => {
    await Promise.all([fromMigrations?.drop(), fromSchema?.drop()]);
  });

  it('produce exactly the same database schema', async () => {
    const [applied, schemaSql] = await Promise.all([
      node([join(root, 'scripts', 'migrate.js')], { DATABASE_URL: fromMigrations.url }),
      node([join(root, 'scripts', 'migrate.js'), 'schema-sql'], { DATABASE_URL: fromSchema.url }),
    ]);
    expect(applied).toMatch(/Applied \d{14}_init/);
    expect(schemaSql).toContain('CREATE TABLE "events"');
    await execute(fromSchema.url, `${schemaSql}\n${handWrittenExtras()}`);

    const expected = schemaDump(fromSchema.url);
    expect(expected).toContain('CREATE TABLE public.events');
    expect(schemaDump(fromMigrations.url)).toEqual(expected);
  });

  it('would notice a difference (the comparison is not vacuous)', async () => {
    const before = schemaDump(fromSchema.url);
    await execute(fromSchema.url, 'ALTER TABLE "events" ADD COLUMN "drift_probe" integer');
    expect(schemaDump(fromSchema.url)).not.toEqual(before);
  });

  it('applies nothing the second time (idempotent deploy)', async () => {
    expect(await node([join(root, 'scripts', 'migrate.js')], { DATABASE_URL: fromMigrations.url })).toContain(
      'No pending migrations.',
    );
  });
});
