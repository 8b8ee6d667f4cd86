// The MLP every MLP measurement uses, written to a file of the benchmark's own.
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const config = require('./config');

/**
 * Writes the example's MLP with hidden layers `BENCH_MLP_HIDDEN` wide (same input and classes) and returns its
 * path and sizes; every MLP server and the offline loop read it through MLP_MODEL_PATH.
 */
function prepareModel() {
  const { writeMlpModel } = require(join(config.DIST, 'examples', 'mlp', 'mlp-model.js'));
  const { MLP_SIZES } = require(join(config.DIST, 'examples', 'mlp', 'mlp-shape.js'));
  const sizes = [MLP_SIZES[0], ...MLP_SIZES.slice(1, -1).map(() => config.mlpHidden), MLP_SIZES[MLP_SIZES.length - 1]];
  const path = join(tmpdir(), 'mosec-nest-bench', `mlp-${sizes.join('x')}.onnx`);
  writeMlpModel(path, sizes);
  return { path, sizes };
}

module.exports = { prepareModel };
