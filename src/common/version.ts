import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The gateway's version, from package.json (two levels above both src/common and dist/common). */
export const HOOKGATE_VERSION = (
  JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }
).version;
