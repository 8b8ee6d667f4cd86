#!/usr/bin/env node
/**
 * `npm run test:mutations`: proves that the end-to-end suite guards the features it claims to. For
 * each feature of scripts/mutations/features.js, a copy of the build (dist-mutant/) has that one
 * feature switched off by a single edit of its compiled file; the end-to-end tests named for it run
 * against that copy and must fail. Prints a table, and exits 1 when a mutant survives or an edit no
 * longer finds its line (the code moved: update the list). The same tests must pass on dist/ first.
 *
 *   npm run test:mutations                  # every feature, about 40 minutes on 2 cores
 *   MUTATIONS_ONLY=budget npm run test:mutations
 */
const { spawnSync } = require('node:child_process');
const { cpSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { FEATURES } = require('./mutations/features');

const ROOT = join(__dirname, '..');
const MUTANT = 'dist-mutant';
const log = (message) => process.stderr.write(`${message}\n`);

/** Copies dist/ and makes the feature's edit; undefined when the edit finds its text once, else why not. */
function buildMutant(feature) {
  rmSync(join(ROOT, MUTANT), { recursive: true, force: true });
  cpSync(join(ROOT, 'dist'), join(ROOT, MUTANT), { recursive: true });
  const file = join(ROOT, MUTANT, feature.file);
  const code = readFileSync(file, 'utf8');
  const found = code.split(feature.find).length - 1;
  if (found !== 1) return `found ${found} times in ${feature.file}: ${JSON.stringify(feature.find)}`;
  writeFileSync(file, code.replace(feature.find, feature.replace));
  return undefined;
}

function runTests(tests, dist) {
  const jest = join(ROOT, 'node_modules', '.bin', 'jest');
  const run = spawnSync(jest, ['--selectProjects', 'e2e', '--runInBand', ...tests.map((t) => join(ROOT, t))], {
    cwd: ROOT,
    env: { ...process.env, MOSEC_DIST: dist },
    encoding: 'utf8',
  });
  const summary = /Tests:\s+(.*)/.exec(run.stderr)?.[1] ?? 'no summary';
  // The failures' headlines: which tests failed, and why (their first lines).
  const failures = run.stderr.split('\n').filter((line) => /^\s+● /.test(line));
  return { failed: run.status !== 0, summary, failures };
}

function main() {
  const only = process.env.MUTATIONS_ONLY;
  const features = FEATURES.filter((f) => !only || f.name.includes(only));
  if (features.length === 0) {
    // Without a test file jest would run the whole suite.
    log(`no feature's name contains ${JSON.stringify(only)}`);
    process.exitCode = 1;
    return;
  }
  // A mutant counts as caught only if the same tests pass on the real build.
  const tests = [...new Set(features.flatMap((f) => f.tests))];
  log(`the real build: ${tests.length} test files`);
  const real = runTests(tests, 'dist');
  if (real.failed) {
    log(`the tests fail on the real build (${real.summary}): fix them first\n${real.failures.join('\n')}`);
    process.exitCode = 1;
    return;
  }
  const rows = [];
  for (const feature of features) {
    log(`mutation: ${feature.name} (${feature.file})`);
    const stale = buildMutant(feature);
    if (stale) {
      rows.push({ feature, verdict: 'STALE', detail: stale });
      continue;
    }
    const mutant = runTests(feature.tests, MUTANT);
    rows.push({ feature, verdict: mutant.failed ? 'caught' : 'SURVIVED', detail: mutant.summary });
  }
  rmSync(join(ROOT, MUTANT), { recursive: true, force: true });
  console.log('| feature switched off | edit | tests | verdict | tests against the mutant |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const { feature, verdict, detail } of rows) {
    console.log(`| ${feature.name} | ${feature.what} | ${feature.tests.map((t) => `\`${t.replace(/^test\//, '')}\``).join(', ')} | ${verdict} | ${detail} |`);
  }
  process.exitCode = rows.every((row) => row.verdict === 'caught') ? 0 : 1;
}

main();
