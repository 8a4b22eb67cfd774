#!/usr/bin/env node
// `npm run build`: tsc compiles src/ to dist/; the console's stylesheet and script are copied beside the compiled console.
const fs = require('node:fs');
const path = require('node:path');

const from = path.join(__dirname, '..', 'src', 'console', 'assets');
const to = path.join(__dirname, '..', 'dist', 'console', 'assets');
fs.rmSync(to, { recursive: true, force: true });
fs.cpSync(from, to, { recursive: true });
