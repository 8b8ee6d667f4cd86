import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const LIB = join(ROOT, 'dist/libs/mosec/src');

/** What a fresh Node process finds in `entry` (its export names), and the packages it has loaded after reading them all. */
function load(entry: string): { names: string[]; packages: string[] } {
  const script = `
    const exported = require(${JSON.stringify(entry)});
    for (const name of Object.keys(exported)) void exported[name];
    const packages = Object.keys(require.cache)
      .filter((file) => file.includes('/node_modules/'))
      .map((file) => file.split('/node_modules/').pop().split('/').slice(0, file.split('/node_modules/').pop().startsWith('@') ? 2 : 1).join('/'));
    process.stdout.write(JSON.stringify({ names: Object.keys(exported), packages: [...new Set(packages)] }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

describe('entry points', () => {
  it('the main entry loads none of the optional parts: no onnxruntime, tokenizer, class-validator or Swagger', () => {
    const loaded = load(join(LIB, 'index.js')).packages;
    expect(loaded).toContain('@nestjs/common'); // it did load the library
    for (const optional of ['onnxruntime-node', '@huggingface/tokenizers', 'class-validator', '@nestjs/swagger']) {
      expect(loaded).not.toContain(optional);
    }
  });

  it('@mosec/nest/onnx, /transformers and /openai are subpaths of the package, each its own entry', () => {
    const { exports } = JSON.parse(readFileSync(join(ROOT, 'libs/mosec/package.json'), 'utf8'));
    for (const part of ['onnx', 'transformers', 'openai']) {
      expect(exports[`./${part}`]).toEqual({ types: `./dist/${part}/index.d.ts`, default: `./dist/${part}/index.js` });
      expect(load(join(LIB, part, 'index.js')).names.length).toBeGreaterThan(0);
    }
  });

  it('the onnx subpath loads onnxruntime-node only when a session is made', () => {
    expect(load(join(LIB, 'onnx/index.js')).packages).not.toContain('onnxruntime-node');
  });
});
