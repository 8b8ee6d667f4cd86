import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ValidationError } from '../errors';
import { ItemInput, ItemTensor, TensorData, toItemTensor } from './item-tensor';
import { ItemSignature, itemSignatures, resolveItemAxis } from './model-shapes';
import { onnxRuntime } from './runtime';
import { splitBatch, trimAxis } from './split';
import { mismatchedAxis, paddingMask, stackItems } from './stack';

export interface PadOptions {
  /** Axis to pad: an index into one item's dims (batch axis not counted) or the model's name for it, e.g. `sequence`. */
  axis: number | string;
  /** Written where an item is shorter than the batch's longest. Default 0. */
  value?: number;
  /** A model input to feed `[batch, longest]` with 1 for values and 0 for padding, typed as the model declares it. */
  mask?: string;
}

export interface UnpadOptions {
  /** Output axis to cut back to each item's length: index into one item's dims, or the model's name for it. */
  axis: number | string;
  /** The padded input whose lengths apply. */
  like: string;
}

export interface OnnxBatchOptions {
  /** Inputs whose items may differ in length along one axis. */
  pad?: Record<string, PadOptions>;
  /** Outputs to cut back to each item's length of a padded input. */
  unpad?: Record<string, UnpadOptions>;
  /** Outputs to fetch. Default: all of the model's outputs. */
  outputs?: string[];
}

/** One request's inputs by model input name, and its outputs by model output name. */
export type ItemFeeds = Record<string, ItemInput>;
export type ItemResults = Record<string, ItemTensor>;

type Checked = { item: Record<string, ItemTensor<TensorData | readonly number[]>> } | { error: ValidationError };

/**
 * Runs a batch of per-request inputs through a session in one call: the items of each input are
 * stacked along a new batch axis (padded where configured), the model runs once, and every output is
 * split back per request. An item that does not fit (missing input, wrong dims) gets a
 * `ValidationError` at its index and the others still run.
 */
export class OnnxBatchRunner {
  private readonly inputs: Map<string, ItemSignature>;
  private readonly outputs: Map<string, ItemSignature>;
  private readonly padAxes = new Map<string, number>();
  private readonly unpadAxes = new Map<string, number>();
  private readonly masks = new Set<string>();
  private readonly fetches: string[];

  constructor(
    readonly session: InferenceSession,
    private readonly options: OnnxBatchOptions = {},
  ) {
    this.inputs = itemSignatures(session.inputMetadata);
    this.outputs = itemSignatures(session.outputMetadata);
    for (const [name, pad] of Object.entries(options.pad ?? {})) {
      if (!this.inputs.has(name)) throw new Error(`pad: the model has no input "${name}"`);
      this.padAxes.set(name, resolveItemAxis(pad.axis, this.inputs.get(name), `pad.${name}`));
      if (pad.mask !== undefined) {
        if (!this.inputs.has(pad.mask)) throw new Error(`pad.${name}: the model has no mask input "${pad.mask}"`);
        this.masks.add(pad.mask);
      }
    }
    for (const [name, unpad] of Object.entries(options.unpad ?? {})) {
      if (!this.outputs.has(name)) throw new Error(`unpad: the model has no output "${name}"`);
      if (!this.padAxes.has(unpad.like)) throw new Error(`unpad.${name}: "${unpad.like}" is not a padded input`);
      this.unpadAxes.set(name, resolveItemAxis(unpad.axis, this.outputs.get(name), `unpad.${name}`));
    }
    this.fetches = options.outputs ?? [...session.outputNames];
  }

  /** The inputs each request brings (the model's inputs without the masks this runner builds). */
  get itemInputs(): string[] {
    return this.session.inputNames.filter((name) => !this.masks.has(name));
  }

  async run(batch: readonly ItemFeeds[]): Promise<Array<ItemResults | ValidationError>> {
    const checked = this.check(batch);
    const valid = checked.flatMap((entry) => ('item' in entry ? [entry.item] : []));
    const results = valid.length > 0 ? await this.runStacked(valid) : [];
    let next = 0;
    return checked.map((entry) => ('error' in entry ? entry.error : results[next++]));
  }

  private async runStacked(items: Array<Record<string, ItemTensor<TensorData | readonly number[]>>>): Promise<ItemResults[]> {
    const { Tensor } = onnxRuntime();
    const feeds: Record<string, Tensor> = {};
    const lengths = new Map<string, number[]>();
    for (const name of this.itemInputs) {
      const pad = this.options.pad?.[name];
      const stacked = stackItems(items.map((item) => item[name]), this.inputs.get(name)!.type, this.padAxes.get(name), pad?.value);
      feeds[name] = new Tensor(this.inputs.get(name)!.type, stacked.data, stacked.dims);
      lengths.set(name, stacked.lengths);
      if (pad?.mask !== undefined) {
        const mask = paddingMask(stacked.lengths, this.inputs.get(pad.mask)!.type);
        feeds[pad.mask] = new Tensor(this.inputs.get(pad.mask)!.type, mask.data, mask.dims);
      }
    }
    const output = await this.session.run(feeds, this.fetches);
    const results: ItemResults[] = items.map(() => ({}));
    for (const name of this.fetches) {
      const tensor = output[name] as Tensor;
      if (!ArrayBuffer.isView(tensor.data)) throw new Error(`output "${name}" is not a numeric tensor`);
      const parts = splitBatch(tensor.data as TensorData, tensor.dims, items.length);
      const unpadAxis = this.unpadAxes.get(name);
      const itemLengths = lengths.get(this.options.unpad?.[name]?.like ?? '');
      parts.forEach((part, i) => {
        results[i][name] = unpadAxis === undefined ? part : trimAxis(part, unpadAxis, itemLengths![i]);
      });
    }
    return results;
  }

  /** Each request's inputs as tensors, or the reason it cannot join the batch. */
  private check(batch: readonly ItemFeeds[]): Checked[] {
    // Sizes the model leaves open must still agree within a batch (except the padded axis): the first item sets them.
    const agreed = new Map<string, readonly number[]>();
    return batch.map((feeds) => {
      const item: Record<string, ItemTensor<TensorData | readonly number[]>> = {};
      for (const name of this.itemInputs) {
        const raw = feeds?.[name];
        if (raw === undefined || raw === null) return { error: new ValidationError(`input "${name}" is missing`) };
        let tensor: ItemTensor<TensorData | readonly number[]>;
        try {
          tensor = toItemTensor(raw);
        } catch (error) {
          return { error: new ValidationError(`input "${name}": ${(error as Error).message}`) };
        }
        const padAxis = this.padAxes.get(name);
        const expected = agreed.get(name) ?? this.inputs.get(name)!.dims ?? tensor.dims;
        if (mismatchedAxis(tensor.dims, expected, padAxis) !== undefined) {
          return { error: new ValidationError(`input "${name}": expected dims [${describe(expected, padAxis)}], got [${tensor.dims.join(', ')}]`) };
        }
        item[name] = tensor;
      }
      for (const name of this.itemInputs) if (!agreed.has(name)) agreed.set(name, item[name].dims);
      return { item };
    });
  }
}

function describe(dims: readonly number[], freeAxis?: number): string {
  return dims.map((d, axis) => (axis === freeAxis || d < 0 ? '?' : String(d))).join(', ');
}
