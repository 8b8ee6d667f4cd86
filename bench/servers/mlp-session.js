// The MLP as the service's inference worker loads it: the same file (MLP_MODEL_PATH) and the session
// options the library resolves (MOSEC_ONNX_THREADS intra-op threads, one inter-op thread, sequential).
const { join } = require('node:path');

const DIST = join(__dirname, '..', '..', process.env.MOSEC_DIST ?? 'dist');

async function loadMlpSession() {
  const ort = require('onnxruntime-node');
  const { resolveSessionOptions } = require(join(DIST, 'libs', 'mosec', 'src', 'onnx', 'load-session.js'));
  const { MLP_INPUT, MLP_OUTPUT, MLP_SIZES, MLP_MODEL_ENV } = require(join(DIST, 'examples', 'mlp', 'mlp-shape.js'));
  const path = process.env[MLP_MODEL_ENV];
  if (!path) throw new Error(`${MLP_MODEL_ENV} must name the model file`);
  const options = resolveSessionOptions({ workers: 1 });
  const session = await ort.InferenceSession.create(path, options);
  return { ort, session, options, input: MLP_INPUT, output: MLP_OUTPUT, features: MLP_SIZES[0] };
}

module.exports = { loadMlpSession };
