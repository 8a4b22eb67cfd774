import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { parse } from 'yaml';
import { Environment } from '../../src/config/environment';
import { loadConfig } from '../../src/config/load-config';

// No Docker engine runs on the machines this suite runs on, so the compose file and Dockerfile are checked
// statically: they parse, and every command, script, file and variable they rely on exists in the project.

const root = join(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      build?: string;
      command?: string[];
      environment?: Record<string, string>;
      ports?: string[];
      depends_on?: Record<string, { condition: string }>;
    }
  >;
};
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')
  .split('\n')
  .filter((line) => !line.startsWith('#'))
  .join('\n');
const hookgateServices = ['migrate', 'api', 'worker'];
const knownVariables = new Set(
  getMetadataStorage()
    .getTargetValidationMetadatas(Environment, '', true, false)
    .map((meta) => meta.propertyName),
);

/** `${NAME:-default}` → default, `${NAME:?message}` → a value that passes validation, as a user would supply. */
/** What a user supplies for a required variable whose value has a format of its own. */
const USER_SUPPLIED: Record<string, string> = { SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') };

function substitute(value: string): string {
  return String(value)
    .replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')
    .replace(/\$\{([A-Z_]+):\?[^}]*\}/g, (_, name: string) => USER_SUPPLIED[name] ?? 'a-user-supplied-secret-value');
}

function assertRunnable(command: string[]): void {
  if (command[0] === 'npm') {
    expect(command[1]).toBe('run');
    expect(Object.keys(packageJson.scripts)).toContain(command[2]);
  } else {
    expect(command[0]).toBe('node');
    expect(command[1]).toBe('dist/main.js');
    expect(existsSync(join(root, 'src', 'main.ts'))).toBe(true);
    if (command[2]) expect(['api', 'worker', 'all']).toContain(command[2]);
  }
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Redis, Jaeger (OTLP 4318, UI 16686), a migrate job, api and worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'jaeger', 'migrate', 'postgres', 'redis', 'worker']);
    expect(compose.services.jaeger.ports).toEqual(expect.arrayContaining(['16686:16686', '4318:4318']));
    expect(compose.services.jaeger.environment?.COLLECTOR_OTLP_ENABLED).toBe('true');
  });

  it('builds one image and runs every role from it, after the migrations', () => {
    expect(compose.services.migrate.build).toBe('.');
    const image = compose.services.migrate.image;
    for (const name of ['api', 'worker']) {
      expect(compose.services[name].image).toBe(image);
      expect(compose.services[name].depends_on?.migrate.condition).toBe('service_completed_successfully');
    }
  });

  it.each(hookgateServices)('%s runs a command that exists in the project', (name) => {
    assertRunnable(compose.services[name].command ?? []);
  });

  it.each(hookgateServices)('%s sets only variables Hookgate knows, and they pass its validation', (name) => {
    const environment = Object.fromEntries(
      Object.entries(compose.services[name].environment ?? {}).map(([key, value]) => [key, substitute(value)]),
    );
    for (const key of Object.keys(environment)) expect(knownVariables).toContain(key);
    if (name !== 'migrate') {
      const config = loadConfig(environment);
      expect(config.otel.endpoint).toBe('http://jaeger:4318');
      expect(config.role).toBe(name === 'worker' ? 'worker' : 'all');
    }
  });
});

describe('Dockerfile', () => {
  it('copies only paths that exist and runs only npm scripts that exist', () => {
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(?:--chown=\S+ )?(.+?) \S+$/gm)) {
      for (const path of source.split(' ')) expect(existsSync(join(root, path))).toBe(true);
    }
    const scripts = [...dockerfile.matchAll(/npm run (\S+)/g)].map((match) => match[1]);
    expect(scripts).toContain('build');
    for (const script of scripts) expect(Object.keys(packageJson.scripts)).toContain(script);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/main.js"\]/);
  });

  it('is multi-stage and runs as an unprivileged user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});
