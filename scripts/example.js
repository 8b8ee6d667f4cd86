#!/usr/bin/env node
// `npm run example -- <name>`: starts examples/<name> from the build in dist/.
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

/** Examples that are not a service of their own, and the service they are shown with. */
const SHOWN_WITH = { monitor: 'echo' };

const asked = process.argv[2];
const root = join(__dirname, '..', 'dist', 'examples');
const name = SHOWN_WITH[asked] ?? asked;
const entry = name && join(root, name, 'main.js');
if (!entry || !existsSync(entry)) {
  const known = existsSync(root) ? [...readdirSync(root), ...Object.keys(SHOWN_WITH)].sort().join(', ') : 'none (run `npm run build` first)';
  console.error(`usage: npm run example -- <name>\nexamples built: ${known}`);
  process.exit(2);
}
if (name !== asked) {
  console.log(`examples/${asked} is a Prometheus config and a Grafana dashboard, not a service: starting the ${name} example for them to watch (see examples/${asked}/README.md)`);
}
require(entry);
