import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { embeddingModel } from '../examples/embedding/embedding-model';
import { DIST, post, RunningServer, startService } from './support/server';

/**
 * What a team serving its own model does: a Hugging Face layout directory (here the same graph and
 * tokenizer as an optimum export lays them out, without sentence-transformers' files) named by
 * MOSEC_EMBEDDING_MODEL, served under its own name. And what an app that does not use the
 * transformer or OpenAI parts loads: neither.
 */
jest.setTimeout(60_000);

describe('embedding example with its own model directory', () => {
  let dir: string;
  let server: RunningServer;

  beforeAll(async () => {
    const fetched = embeddingModel();
    dir = join(mkdtempSync(join(tmpdir(), 'own-model-')), 'my-minilm');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    symlinkSync(fetched.onnxPath, join(dir, 'onnx', 'model.onnx'));
    copyFileSync(fetched.tokenizerPath, join(dir, 'tokenizer.json'));
    copyFileSync(join(fetched.dir, 'config.json'), join(dir, 'config.json'));
    server = await startService('examples/embedding/main.js', { MOSEC_EMBEDDING_MODEL: dir }, { readyTimeoutMs: 45_000 });
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('serves it under its directory name, up to its own maximum length', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'not-checked', maxRetries: 0 });
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(['my-minilm']);
    const answer = await client.embeddings.create({ model: 'my-minilm', input: 'word '.repeat(400), encoding_format: 'float' });
    // No sentence_bert_config.json: the model's 512 positions bound it, not sentence-transformers' 256.
    expect(answer.usage.prompt_tokens).toBe(402);
    const norm = Math.hypot(...answer.data[0].embedding);
    expect(norm).toBeCloseTo(1, 5);
    expect((await post(`${server.url}/v1/embeddings`, { model: 'all-MiniLM-L6-v2', input: 'x' })).status).toBe(400);
  });

  it('refuses to start without a model, naming what is missing', async () => {
    const missing = await startService('examples/embedding/main.js', { MOSEC_EMBEDDING_MODEL: join(dir, 'nothing') }, { waitReady: false });
    expect(await missing.exited).not.toBe(0);
    expect(missing.logs()).toMatch(/no onnx\/model\.onnx in .*nothing: MOSEC_EMBEDDING_MODEL must name a model directory/);
  });
});

describe('the transformer and OpenAI parts are their own subpaths', () => {
  const loaded = (code: string): string[] =>
    JSON.parse(execFileSync(process.execPath, ['-e', `${code}; console.log(JSON.stringify(Object.keys(require.cache)))`], { cwd: DIST }).toString());

  it('an app of the library alone loads neither the tokenizer nor the OpenAI parts', () => {
    const modules = loaded("const m = require('./libs/mosec/src'); m.MosecModule; m.PipelineClient");
    expect(modules.filter((path) => /@huggingface[\\/]tokenizers|[\\/](transformers|openai)[\\/]/.test(path))).toEqual([]);
  });

  it('the transformer part loads the tokenizer only when a tokenizer is made', () => {
    const modules = loaded("require('./libs/mosec/src/transformers')");
    expect(modules.some((path) => path.includes('transformers'))).toBe(true);
    expect(modules.filter((path) => /@huggingface[\\/]tokenizers|onnxruntime/.test(path))).toEqual([]);
  });
});
