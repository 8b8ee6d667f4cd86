import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export type Pooling = 'mean' | 'cls';

/** A transformer model directory in the Hugging Face layout, read without loading the tokenizer or the graph. */
export interface ModelDirectory {
  /** The directory, absolute. */
  readonly dir: string;
  /** Its name (the directory's), what an API serves it as. */
  readonly name: string;
  /** `onnx/model.onnx` (or `model.onnx` at the top, as some exports lay it out). */
  readonly onnxPath: string;
  readonly tokenizerPath: string;
  /** Tokens per input after truncation: `sentence_bert_config.json`'s `max_seq_length`, else `config.json`'s `max_position_embeddings`. */
  readonly maxTokens: number;
  /** Width of a vector (`config.json`'s `hidden_size`). */
  readonly dimensions: number;
  /** Token ids run from 0 to `vocabSize - 1`. */
  readonly vocabSize: number;
  /** From `1_Pooling/config.json`; mean when it is absent. */
  readonly pooling: Pooling;
  /** L2-normalised vectors: when `modules.json` lists a Normalize module, or when there is no `modules.json`. */
  readonly normalize: boolean;
}

/**
 * Reads a model directory's configuration. Throws a message that says what is missing, and `hint`
 * (such as the command that fetches the model) when the directory or its files are not there.
 */
export function readModelDirectory(dir: string, hint = ''): ModelDirectory {
  const root = resolve(dir);
  const missing = (what: string) => new Error(`no ${what} in ${root}${hint ? `: ${hint}` : ''}`);
  const onnxPath = [join(root, 'onnx', 'model.onnx'), join(root, 'model.onnx')].find((path) => existsSync(path));
  if (!onnxPath) throw missing('onnx/model.onnx');
  const tokenizerPath = join(root, 'tokenizer.json');
  if (!existsSync(tokenizerPath)) throw missing('tokenizer.json');
  const config = readJson(join(root, 'config.json'));
  if (!config) throw missing('config.json');
  const sentenceConfig = readJson(join(root, 'sentence_bert_config.json'));
  const poolingConfig = readJson(join(root, '1_Pooling', 'config.json'));
  const modules = readJson(join(root, 'modules.json')) as Array<{ type?: string }> | undefined;
  return {
    dir: root,
    name: basename(root),
    onnxPath,
    tokenizerPath,
    maxTokens: positive(sentenceConfig?.max_seq_length ?? config.max_position_embeddings, 'max_seq_length', root),
    dimensions: positive(config.hidden_size ?? config.d_model, 'hidden_size', root),
    vocabSize: positive(config.vocab_size, 'vocab_size', root),
    pooling: poolingConfig?.pooling_mode_cls_token === true ? 'cls' : 'mean',
    normalize: modules === undefined || modules.some((module) => /Normalize$/.test(module.type ?? '')),
  };
}

function readJson(path: string): Record<string, any> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function positive(value: unknown, what: string, dir: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new Error(`${dir}: ${what} must be a positive integer, not ${JSON.stringify(value)}`);
  return value as number;
}
