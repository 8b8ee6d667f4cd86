/**
 * The example's classifier, generated in code rather than downloaded: a multi-layer perceptron
 * `features [batch, in] -> (MatMul, Add, Relu) x hidden -> MatMul, Add -> Softmax -> probabilities [batch, classes]`
 * with weights drawn from a fixed seed, so every run builds the same file.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { ElementType, encodeModel, floatInitializer, node, tensorValue, writeFileAtomically } from './onnx-graph';
import { MLP_INPUT, MLP_MODEL_ENV, MLP_OUTPUT, MLP_SEED, MLP_SIZES } from './mlp-shape';
import { seededRandom, uniformFloats } from './seeded-random';

export interface MlpLayer {
  /** `[fanIn, fanOut]`, row-major. */
  weights: Float32Array;
  bias: Float32Array;
  fanIn: number;
  fanOut: number;
}

/** The layers' weights as the seed gives them (the model file holds exactly these). */
export function mlpLayers(sizes: readonly number[] = MLP_SIZES, seed = MLP_SEED): MlpLayer[] {
  if (sizes.length < 2 || !sizes.every((size) => Number.isInteger(size) && size > 0)) {
    throw new Error(`an MLP needs at least two positive integer sizes, not [${sizes.join(', ')}]`);
  }
  const random = seededRandom(seed);
  const layers: MlpLayer[] = [];
  for (let layer = 0; layer + 1 < sizes.length; layer++) {
    const [fanIn, fanOut] = [sizes[layer], sizes[layer + 1]];
    // Glorot-uniform weights keep the activations, and so the probabilities, away from 0 and 1.
    const weights = uniformFloats(random, fanIn * fanOut, Math.sqrt(6 / (fanIn + fanOut)));
    const bias = uniformFloats(random, fanOut, 0.1);
    layers.push({ weights, bias, fanIn, fanOut });
  }
  return layers;
}

/** The model file's bytes for the given layer widths and seed. */
export function buildMlpModel(sizes: readonly number[] = MLP_SIZES, seed = MLP_SEED): Uint8Array {
  const layers = mlpLayers(sizes, seed);
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  let current = MLP_INPUT;
  layers.forEach(({ weights, bias, fanIn, fanOut }, layer) => {
    const last = layer + 1 === layers.length;
    initializers.push(floatInitializer(`w${layer}`, [fanIn, fanOut], weights), floatInitializer(`b${layer}`, [fanOut], bias));
    nodes.push(node('MatMul', [current, `w${layer}`], [`matmul${layer}`]));
    nodes.push(node('Add', [`matmul${layer}`, `b${layer}`], [last ? 'logits' : `linear${layer}`]));
    if (!last) nodes.push(node('Relu', [`linear${layer}`], [`hidden${layer}`]));
    current = last ? 'logits' : `hidden${layer}`;
  });
  nodes.push(node('Softmax', ['logits'], [MLP_OUTPUT], { axis: -1 }));
  return encodeModel({
    name: 'mlp',
    inputs: [tensorValue(MLP_INPUT, ElementType.FLOAT, ['batch', sizes[0]])],
    outputs: [tensorValue(MLP_OUTPUT, ElementType.FLOAT, ['batch', sizes[sizes.length - 1]])],
    nodes,
    initializers,
  });
}

/** Writes the model to `path` (atomically: concurrent writers of the same model are safe). */
export function writeMlpModel(path: string, sizes: readonly number[] = MLP_SIZES, seed = MLP_SEED): string {
  writeFileAtomically(path, buildMlpModel(sizes, seed));
  return path;
}

/** Where the example keeps its generated model unless `MLP_MODEL_PATH` says otherwise. */
export function defaultMlpModelPath(sizes: readonly number[] = MLP_SIZES, seed = MLP_SEED): string {
  return join(tmpdir(), 'mosec-nest-models', `mlp-${sizes.join('x')}-seed${seed}.onnx`);
}

/** Generates the model at `path` unless a file is already there. */
export function ensureMlpModel(path: string, sizes: readonly number[] = MLP_SIZES, seed = MLP_SEED): string {
  return existsSync(path) ? path : writeMlpModel(path, sizes, seed);
}

/**
 * Makes sure the workers find a model: a file named by `MLP_MODEL_PATH` is used as it is (generated
 * there if missing); without it the model is written afresh under the temporary directory. Sets
 * `MLP_MODEL_PATH` for the worker processes, which inherit the environment.
 */
export function prepareMlpModel(env: NodeJS.ProcessEnv = process.env): string {
  const given = env[MLP_MODEL_ENV];
  const path = given ? ensureMlpModel(given) : writeMlpModel(defaultMlpModelPath());
  env[MLP_MODEL_ENV] = path;
  return path;
}
