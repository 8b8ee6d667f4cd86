import type * as ort from 'onnxruntime-node';

let loaded: typeof ort | undefined;

/**
 * onnxruntime-node, required on first use: exporting this helper from the library must not load the
 * native runtime into the HTTP process, only into the workers that run a model.
 */
export function onnxRuntime(): typeof ort {
  loaded ??= require('onnxruntime-node') as typeof ort;
  return loaded;
}
