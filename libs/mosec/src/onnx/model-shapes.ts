import type { InferenceSession } from 'onnxruntime-node';
import { isNumericType, NumericType } from './item-tensor';

/** What the model declares about one input or output, seen per item (batch axis removed). */
export interface ItemSignature {
  type: NumericType;
  /** Item dims, -1 where the model leaves the size open; undefined when the model declares no shape. */
  dims?: number[];
  /** The model's names for the item axes (symbolic dimensions), or undefined where a size is fixed. */
  axisNames: Array<string | undefined>;
}

/**
 * Reads the declared types and shapes of a session's inputs or outputs. Axis 0 is taken as the batch
 * axis and removed; an undeclared type is taken as float32.
 */
export function itemSignatures(metadata: readonly InferenceSession.ValueMetadata[]): Map<string, ItemSignature> {
  const signatures = new Map<string, ItemSignature>();
  for (const value of metadata) {
    if (!value.isTensor) continue;
    const type = isNumericType(value.type) ? value.type : 'float32';
    const shape = value.shape.slice(1);
    const declared = value.shape.length > 0;
    signatures.set(value.name, {
      type,
      dims: declared ? shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) : undefined,
      axisNames: shape.map((d) => (typeof d === 'string' ? d : undefined)),
    });
  }
  return signatures;
}

/** An item axis given as an index, or as a symbolic dimension name of the model (e.g. `sequence`). */
export function resolveItemAxis(axis: number | string, signature: ItemSignature | undefined, owner: string): number {
  if (typeof axis === 'number') {
    const rank = signature?.dims?.length;
    if (!Number.isInteger(axis) || axis < 0 || (rank !== undefined && axis >= rank)) {
      throw new Error(`${owner}: axis must be an index into one item's dims (${rank ?? 'any'} axes, batch not counted), not ${axis}`);
    }
    return axis;
  }
  const index = signature?.axisNames.indexOf(axis) ?? -1;
  if (index < 0) {
    const names = signature?.axisNames.filter(Boolean).join(', ') || 'none';
    throw new Error(`${owner}: the model has no dimension named "${axis}" after the batch axis (named: ${names})`);
  }
  return index;
}
