// The naive way to serve the MLP from Nest: one POST route that calls session.run for each request,
// in the HTTP process, with no batching.
const { BadRequestException } = require('@nestjs/common');
const { postRoute } = require('../plain-nest');

const MLP = 'MLP';

class MlpController {
  constructor(mlp) {
    this.mlp = mlp;
  }

  async infer(body) {
    const { ort, session, input, output, features } = this.mlp;
    const values = body?.features;
    if (!Array.isArray(values) || values.length !== features || !values.every(Number.isFinite)) {
      throw new BadRequestException(`features must be ${features} finite numbers`);
    }
    const tensor = new ort.Tensor('float32', Float32Array.from(values), [1, features]);
    const results = await session.run({ [input]: tensor }, [output]);
    const probabilities = Array.from(results[output].data);
    let label = 0;
    for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[label]) label = k;
    return { label, probabilities };
  }
}

postRoute(MlpController, { path: 'inference', method: 'infer', token: MLP });

module.exports = { MlpController, MLP };
