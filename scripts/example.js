#!/usr/bin/env node
// `npm run example -- <name>`: starts examples/<name> from the build in dist/.
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const name = process.argv[2];
const root = join(__dirname, '..', 'dist', 'examples');
const entry = name && join(root, name, 'main.js');
if (!entry || !existsSync(entry)) {
  const known = existsSync(root) ? readdirSync(root).join(', ') : 'none (run `npm run build` first)';
  console.error(`usage: npm run example -- <name>\nexamples built: ${known}`);
  process.exit(2);
}
require(entry);
