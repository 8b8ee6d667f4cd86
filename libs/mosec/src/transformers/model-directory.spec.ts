import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelDirectory } from './model-directory';

describe('readModelDirectory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'model-dir-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (path: string, content: unknown) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  };

  it('names what is missing and how to get it', () => {
    expect(() => readModelDirectory(dir, 'run `npm run fetch-models`')).toThrow(/no onnx\/model\.onnx in .*: run `npm run fetch-models`/);
    write('onnx/model.onnx', '');
    expect(() => readModelDirectory(dir)).toThrow(/no tokenizer\.json/);
    write('tokenizer.json', '{}');
    expect(() => readModelDirectory(dir)).toThrow(/no config\.json/);
  });

  it("reads an optimum export: the model's maximum, mean pooling and normalisation when nothing says otherwise", () => {
    write('onnx/model.onnx', '');
    write('tokenizer.json', '{}');
    write('config.json', { hidden_size: 768, vocab_size: 30527, max_position_embeddings: 514 });
    expect(readModelDirectory(dir)).toMatchObject({ dimensions: 768, vocabSize: 30527, maxTokens: 514, pooling: 'mean', normalize: true });
  });

  it("follows sentence-transformers' files: max_seq_length, CLS pooling, no Normalize module", () => {
    write('model.onnx', '');
    write('tokenizer.json', '{}');
    write('config.json', { hidden_size: 384, vocab_size: 100, max_position_embeddings: 512 });
    write('sentence_bert_config.json', { max_seq_length: 128 });
    write('1_Pooling/config.json', { pooling_mode_cls_token: true });
    write('modules.json', [{ type: 'sentence_transformers.models.Transformer' }, { type: 'sentence_transformers.models.Pooling' }]);
    expect(readModelDirectory(dir)).toMatchObject({ maxTokens: 128, pooling: 'cls', normalize: false, onnxPath: join(dir, 'model.onnx') });
    write('config.json', { hidden_size: 0, vocab_size: 100 });
    expect(() => readModelDirectory(dir)).toThrow(/hidden_size must be a positive integer/);
  });
});
