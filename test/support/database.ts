import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.HOOKGATE_TEST_DATABASE_SERVER_URL;
  if (!url) throw new Error('HOOKGATE_TEST_DATABASE_SERVER_URL is not set: run the suite with `npm test`');
  return url;
}

async function onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database for one test file: a copy of the template built once by global-setup. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.HOOKGATE_TEST_TEMPLATE_DATABASE;
  if (!template) throw new Error('HOOKGATE_TEST_TEMPLATE_DATABASE is not set (jest globalSetup did not run)');
  const name = `hg_test_${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return databaseNamed(name);
}

/** An empty database (no migrations), for tests of the migrations themselves. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const name = `hg_empty_${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE "${name}"`));
  return databaseNamed(name);
}

/** A database just created on the test server, and how to drop it. */
function databaseNamed(name: string): TestDatabase {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
