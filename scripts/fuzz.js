#!/usr/bin/env node
// `npm run fuzz`: schemathesis (PyPI) generates requests from each example's own OpenAPI document
// (/openapi/metadata.json) and checks the answers: no 5xx, statuses, content types and bodies as the
// document says. Starts each example as a real process on 127.0.0.1 and stops it afterwards.
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { freePort } = require('../bench/lib/server-process');

const DIST = join(__dirname, '..', process.env.MOSEC_DIST ?? 'dist');
const EXAMPLES = ['echo', 'validation'];
const MAX_EXAMPLES = process.env.FUZZ_MAX_EXAMPLES ?? '100';
const CHECKS = 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance';

function ensureSchemathesis() {
  const ready = spawnSync('python3', ['-c', 'import schemathesis, msgpack']).status === 0 && spawnSync('st', ['--version']).status === 0;
  if (ready) return;
  console.error('fuzz: installing schemathesis and msgpack');
  execFileSync('python3', ['-m', 'pip', 'install', '--quiet', 'schemathesis', 'msgpack'], { stdio: 'inherit' });
}

async function startExample(name) {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(DIST, 'examples', name, 'main.js')], {
    env: { ...process.env, MOSEC_PORT: String(port), MOSEC_ADDRESS: '127.0.0.1', MOSEC_LOG_LEVEL: 'warning' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; waited < 60_000; waited += 100) {
    const ready = await fetch(`${url}/`).then((r) => r.status === 200, () => false);
    if (ready) return { url, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error(`${name} did not get ready`);
}

async function main() {
  ensureSchemathesis();
  let failed = false;
  for (const name of EXAMPLES) {
    const { url, proc } = await startExample(name);
    try {
      console.log(`\n== ${name}: schemathesis against ${url}/openapi/metadata.json`);
      const run = spawnSync(
        'st',
        ['run', `${url}/openapi/metadata.json`, '--url', url, '--checks', CHECKS, '--max-examples', MAX_EXAMPLES, '--request-timeout', '10'],
        { stdio: 'inherit', env: { ...process.env, SCHEMATHESIS_HOOKS: 'fuzz_hooks', PYTHONPATH: __dirname } },
      );
      if (run.status !== 0) failed = true;
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
