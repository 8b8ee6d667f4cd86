import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnnxSession } from '../onnx/load-session';
import { onnxRuntime } from '../onnx/runtime';
import { ColumnCache } from './column-cache';
import { CacheShape, EMPTY_ROW, RowCache, RowSource, stackRows, StackedCache, takeRow } from './kv-rows';
import type { ModelDirectory } from './model-directory';

/** One sequence as the graph sees it: its cache (outside a batch), how many tokens it holds, the token it feeds next. */
export interface LmRow {
  cache?: RowCache;
  /** Tokens in its cache: the position of the next one. */
  position: number;
  /** The token the next decode step feeds (the last one made). */
  next: number;
}

/** What `config.json` says of a llama-family causal model. */
export interface CausalConfig {
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  /** Longest sequence (prompt and answer) the model takes. */
  readonly contextLength: number;
  /** Tokens that end an answer: `config.json`'s and `generation_config.json`'s `eos_token_id`. */
  readonly eos: number[];
  readonly pad: number;
}

export function readCausalConfig(dir: string): CausalConfig {
  const read = (name: string) => {
    try {
      return JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch {
      return {};
    }
  };
  const config = read('config.json');
  const generation = read('generation_config.json');
  const ids = (value: unknown) => (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(Number);
  const eos = [...new Set([...ids(config.eos_token_id), ...ids(generation.eos_token_id)])];
  const heads = config.num_attention_heads;
  return {
    layers: config.num_hidden_layers,
    kvHeads: config.num_key_value_heads ?? heads,
    headDim: config.head_dim ?? config.hidden_size / heads,
    vocabSize: config.vocab_size,
    contextLength: config.max_position_embeddings,
    eos,
    pad: config.pad_token_id ?? eos[0] ?? 0,
  };
}

/**
 * A causal language model exported to ONNX with its key/value cache (`input_ids`, `attention_mask`,
 * `position_ids`, `past_key_values.{layer}.{key,value}` in, `logits` and `present.*` out, as
 * Optimum exports llama models and as the project's GGUF converter writes them). It runs two kinds of
 * forward: a decode step (one token for each row of the decoding batch, whose cache stays stacked
 * from step to step while its rows are the same) and a prefill (a chunk of prompt for each row).
 */
export class CausalLm {
  private group?: { rows: LmRow[]; cache: StackedCache };
  private columns?: { rows: LmRow[]; cache: ColumnCache };
  /** Free columns a decode batch's cache is laid out with, when the graph returns the new columns alone. */
  spareColumns = 32;

  private constructor(
    private readonly session: InferenceSession,
    readonly config: CausalConfig,
    readonly shape: CacheShape,
    /** The graph returns `new_key_values.*` (the new tokens' keys and values) beside `present.*`. */
    readonly returnsNewColumns: boolean,
  ) {}

  static async load(model: ModelDirectory, options: { stage?: object; sessionOptions?: InferenceSession.SessionOptions } = {}): Promise<CausalLm> {
    const config = readCausalConfig(model.dir);
    const session = await loadOnnxSession({ path: model.onnxPath, stage: options.stage, sessionOptions: options.sessionOptions });
    const names = Array.from({ length: config.layers }, (_, layer) => [`past_key_values.${layer}.key`, `past_key_values.${layer}.value`]).flat();
    const wanted = ['input_ids', 'attention_mask', 'position_ids', ...names];
    const missing = [...wanted.filter((name) => !session.inputNames.includes(name)), ...(session.outputNames.includes('logits') ? [] : ['logits'])];
    if (missing.length > 0) {
      throw new Error(`${model.onnxPath} is not a causal model with a key/value cache: it lacks ${missing.join(', ')} (inputs: ${session.inputNames.join(', ')})`);
    }
    const returnsNewColumns = names.every((name) => session.outputNames.includes(newColumnsName(name)));
    return new CausalLm(session, config, { names, heads: config.kvHeads, headDim: config.headDim }, returnsNewColumns);
  }

  /** One token for each row (its `next`); returns each row's logits. The rows' caches stay with the model until the rows change. */
  async decode(rows: LmRow[]): Promise<Float32Array[]> {
    if (this.returnsNewColumns) return this.decodeInPlace(rows);
    const cache = this.stackedFor(rows);
    const { columns } = cache;
    const width = columns + 1;
    const mask = new Uint8Array(rows.length * width);
    rows.forEach((_, r) => {
      mask.set(cache.mask.subarray(r * columns, (r + 1) * columns), r * width);
      mask[r * width + columns] = 1;
    });
    const outputs = await this.run(
      rows.map((row) => [row.next]),
      rows.map((row) => row.position),
      cache,
      mask,
    );
    for (const row of rows) row.position++;
    this.group = { rows, cache: { rows: rows.length, columns: width, mask, blocks: this.shape.names.map((name) => presentOf(outputs, name)) } };
    return lastLogits(outputs.logits, rows.length);
  }

  /**
   * Runs a chunk of tokens for each row (rows outside the decoding batch); returns the logits of each
   * chunk's last token. Chunks of different lengths are left-padded.
   */
  async prefill(chunks: Array<{ row: LmRow; tokens: number[] }>): Promise<Float32Array[]> {
    const rows = chunks.map(({ row }) => row.cache ?? EMPTY_ROW(this.shape));
    const past = stackRows(this.shape, rows);
    const longest = Math.max(...chunks.map((chunk) => chunk.tokens.length));
    const width = past.columns + longest;
    const mask = new Uint8Array(chunks.length * width);
    const tokens = chunks.map(({ tokens }) => [...new Array(longest - tokens.length).fill(this.config.pad), ...tokens]);
    chunks.forEach(({ tokens: own }, r) => {
      mask.set(past.mask.subarray(r * past.columns, (r + 1) * past.columns), r * width);
      mask.fill(1, r * width + width - own.length, (r + 1) * width);
    });
    const outputs = await this.run(tokens, chunks.map(({ row, tokens: own }) => row.position - (longest - own.length)), past, mask);
    const present: StackedCache = { rows: chunks.length, columns: width, mask, blocks: this.shape.names.map((name) => presentOf(outputs, name)) };
    chunks.forEach(({ row, tokens: own }, r) => {
      row.cache = takeRow(this.shape, present, r);
      row.position += own.length;
    });
    return lastLogits(outputs.logits, chunks.length);
  }

  /**
   * A decode step for a graph that returns the new columns alone: the batch's cache, with free columns
   * at its end, goes in whole (masked where free) and only each row's new column comes back, written
   * into the cache in place.
   */
  private async decodeInPlace(rows: LmRow[]): Promise<Float32Array[]> {
    const kept = this.columns;
    const cache = kept && sameRows(kept.rows, rows) ? kept.cache : ColumnCache.of(this.shape, this.sourcesOf(rows, kept), this.spareColumns);
    this.columns = { rows, cache };
    cache.reserve();
    const outputs = await this.run(
      rows.map((row) => [row.next]),
      rows.map((row) => row.position),
      cache.stacked,
      cache.stepMask(),
      true,
    );
    cache.append(this.shape.names.map((name) => outputs[newColumnsName(name)].data as Float32Array));
    for (const row of rows) row.position++;
    return lastLogits(outputs.logits, rows.length);
  }

  /** The decoding batch's cache for `rows`: the one kept from the last step when the rows are the same, else re-stacked. */
  private stackedFor(rows: LmRow[]): StackedCache {
    const group = this.group;
    if (group && sameRows(group.rows, rows)) return group.cache;
    const cache = stackRows(this.shape, this.sourcesOf(rows, group));
    this.group = { rows, cache };
    return cache;
  }

  /**
   * Where each row of a new decode batch comes from: rows that stay are copied straight from the batch
   * before (those not in the new batch have ended and are dropped), rows that join bring their own
   * cache, which they give up.
   */
  private sourcesOf(rows: LmRow[], before?: { rows: LmRow[]; cache: StackedCache | ColumnCache }): RowSource[] {
    const index = new Map(before?.rows.map((row, r) => [row, r]));
    const batch = before && ('stacked' in before.cache ? before.cache.stacked : before.cache);
    return rows.map((row): RowSource => {
      const r = index.get(row);
      const source = r !== undefined ? { batch: batch!, row: r } : (row.cache ?? EMPTY_ROW(this.shape));
      row.cache = undefined;
      return source;
    });
  }

  /**
   * `positions[r]`: the position of row r's first token (padding before it gets positions below, never
   * read). `newColumnsOnly`: fetch `logits` and `new_key_values.*` alone, not the whole `present.*`.
   */
  private async run(tokens: number[][], positions: number[], past: StackedCache, mask: Uint8Array, newColumnsOnly = false): Promise<InferenceSession.OnnxValueMapType> {
    const { Tensor } = onnxRuntime();
    const batch = tokens.length;
    const length = tokens[0].length;
    const ids = new BigInt64Array(batch * length);
    const position = new BigInt64Array(batch * length);
    tokens.forEach((row, r) =>
      row.forEach((token, i) => {
        ids[r * length + i] = BigInt(token);
        position[r * length + i] = BigInt(Math.max(0, positions[r] + i));
      }),
    );
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor('int64', ids, [batch, length]),
      position_ids: new Tensor('int64', position, [batch, length]),
      attention_mask: new Tensor('int64', BigInt64Array.from(mask, (bit) => BigInt(bit)), [batch, mask.length / batch]),
    };
    const dims = [batch, this.shape.heads, past.columns, this.shape.headDim];
    this.shape.names.forEach((name, i) => (feeds[name] = new Tensor('float32', past.blocks[i], dims)));
    return newColumnsOnly ? this.session.run(feeds, ['logits', ...this.shape.names.map(newColumnsName)]) : this.session.run(feeds);
  }
}

const newColumnsName = (pastName: string) => pastName.replace('past_key_values.', 'new_key_values.');
const sameRows = (a: LmRow[], b: LmRow[]) => a.length === b.length && a.every((row, r) => row === b[r]);

function presentOf(outputs: InferenceSession.OnnxValueMapType, pastName: string): Float32Array {
  return outputs[pastName.replace('past_key_values.', 'present.')].data as Float32Array;
}

/** Each row's logits at its last position (views into the output). */
function lastLogits(logits: Tensor, rows: number): Float32Array[] {
  const [, length, vocab] = logits.dims;
  const data = logits.data as Float32Array;
  return Array.from({ length: rows }, (_, r) => data.subarray((r * length + length - 1) * vocab, (r * length + length) * vocab));
}
