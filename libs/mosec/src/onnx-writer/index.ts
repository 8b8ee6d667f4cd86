/**
 * Just enough of ONNX, through the `onnx-proto` protobuf definitions, to write models in code:
 * float and integer initializers, nodes, typed graph inputs/outputs and the model file itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { onnx } from 'onnx-proto';

export const ElementType = onnx.TensorProto.DataType;

/** A dimension is a fixed size or a symbolic name such as `batch`. */
export type Dimension = number | string;

export function floatInitializer(name: string, dims: number[], values: Float32Array): onnx.ITensorProto {
  // raw_data is little-endian, as Float32Array is on every platform Node runs on.
  const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return { name, dims, dataType: ElementType.FLOAT, rawData };
}

export function int64Initializer(name: string, values: number[]): onnx.ITensorProto {
  return { name, dims: [values.length], dataType: ElementType.INT64, int64Data: values };
}

/** Integer attributes: a number is an INT, an array of numbers INTS. */
export type NodeAttributes = Record<string, number | number[]>;

export function node(opType: string, inputs: string[], outputs: string[], attributes: NodeAttributes = {}): onnx.INodeProto {
  const { INT, INTS } = onnx.AttributeProto.AttributeType;
  const attribute = Object.entries(attributes).map(([name, value]) =>
    Array.isArray(value) ? { name, ints: value, type: INTS } : { name, i: value, type: INT },
  );
  return { opType, input: inputs, output: outputs, name: `${opType}_${outputs[0]}`, attribute };
}

export function tensorValue(name: string, elemType: number, dims: Dimension[]): onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

export interface GraphParts {
  name: string;
  inputs: onnx.IValueInfoProto[];
  outputs: onnx.IValueInfoProto[];
  nodes: onnx.INodeProto[];
  initializers: onnx.ITensorProto[];
}

/** Serialises a graph as a model of IR version 8, default domain at `opset`. */
export function encodeModel(parts: GraphParts, opset = 17): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'mosec-nest',
    opsetImport: [{ domain: '', version: opset }, { domain: 'com.microsoft', version: 1 }],
    graph: {
      name: parts.name,
      input: parts.inputs,
      output: parts.outputs,
      node: parts.nodes,
      initializer: parts.initializers,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Writes the file under a unique temporary name, then renames it into place: several processes may
 * write the same model at once, and a reader never sees a half-written file.
 */
export function writeFileAtomically(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}
