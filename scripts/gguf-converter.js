#!/usr/bin/env node
// The GGUF -> ONNX converter (libs/mosec/src/gguf) compiled on the spot, so it runs during `npm ci`
// before the project is built, and from the command line:
//
//   node scripts/gguf-converter.js <model.gguf> <output directory> [gguf|float32|int8]
//
// The output directory gets the Hugging Face layout: onnx/model.onnx, config.json,
// generation_config.json, tokenizer.json, tokenizer_config.json.

const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const SOURCES = ['libs/mosec/src/gguf', 'libs/mosec/src/onnx-writer'];

function sourceFiles() {
  return SOURCES.flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
      .sort()
      .map((name) => join(ROOT, dir, name)),
  );
}

/** A digest of the converter's sources: a cached conversion made by other sources is redone. */
function converterDigest() {
  const hash = createHash('sha256');
  for (const file of sourceFiles()) hash.update(file.slice(ROOT.length)).update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * Compiles the converter into a temporary folder, runs `use(converter)`, removes the folder. The
 * folder is under node_modules so the compiled code finds the project's packages.
 */
function withConverter(use) {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'mosec-gguf-'));
  try {
    let tsc;
    try {
      tsc = require.resolve('typescript/bin/tsc');
    } catch {
      throw new Error('the GGUF converter needs the TypeScript compiler: run `npm ci` with dev dependencies');
    }
    const options = ['--outDir', out, '--rootDir', ROOT, '--module', 'commonjs', '--target', 'es2022', '--esModuleInterop', '--skipLibCheck', '--types', 'node'];
    execFileSync(process.execPath, [tsc, ...options, join(ROOT, 'libs/mosec/src/gguf/convert.ts')], { stdio: 'inherit' });
    return use(require(join(out, 'libs/mosec/src/gguf/convert.js')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function convert(ggufPath, outputDir, weightType) {
  return withConverter(({ convertGguf }) => convertGguf(ggufPath, outputDir, weightType));
}

module.exports = { converterDigest, convert };

if (require.main === module) {
  const [input, output, weightType = 'gguf'] = process.argv.slice(2);
  if (!input || !output || !['gguf', 'float32', 'int8'].includes(weightType)) {
    console.error('usage: node scripts/gguf-converter.js <model.gguf> <output directory> [gguf|float32|int8]');
    process.exit(2);
  }
  const started = Date.now();
  try {
    const { config, modelBytes } = convert(input, output, weightType);
    console.log(`${output}: ${config.layers} layers, ${(modelBytes / 1e6).toFixed(0)} MB, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`cannot convert ${input}: ${error.message}`);
    process.exit(1);
  }
}
