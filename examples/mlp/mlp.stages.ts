import { BatchWorker, Stage, ValidationError, Worker } from '@mosec/nest';
import { loadOnnxSession, OnnxBatchRunner } from '@mosec/nest/onnx';
import { OnModuleInit } from '@nestjs/common';
import { MlpRequest, MlpResponse } from './mlp.dto';
import { MLP_INPUT, MLP_MODEL_ENV, MLP_OUTPUT, MLP_SIZES } from './mlp-shape';

const FEATURES = MLP_SIZES[0];

/** Checks the request by hand and hands the features on as a Float32Array (msgpack keeps it as is). */
@Stage()
export class Preprocess implements Worker<MlpRequest, Float32Array> {
  forward(request: MlpRequest): Float32Array {
    const features = request?.features;
    if (features === undefined) throw new ValidationError('features is required');
    if (!Array.isArray(features)) throw new ValidationError(`features must be an array of ${FEATURES} numbers`);
    if (features.length !== FEATURES) {
      throw new ValidationError(`features must have ${FEATURES} numbers, not ${features.length}`);
    }
    const index = features.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
    if (index >= 0) throw new ValidationError(`features[${index}] must be a finite number`);
    return Float32Array.from(features);
  }
}

/**
 * `MLP_MAX_WAIT` (ms, or `auto`) lets a benchmark compare batch waits without editing the example;
 * unset, the stage waits as the service's `wait` says (`'auto'` unless changed).
 */
const wait = process.env.MLP_MAX_WAIT;
const maxWaitTime = wait === undefined || wait === 'auto' ? wait : Number(wait);

/** Runs the MLP once per batch of up to 64 requests. */
@Stage({ maxBatchSize: 64, maxWaitTime })
export class Inference implements BatchWorker<Float32Array, Float32Array>, OnModuleInit {
  /** A full batch, so the first real one finds the session's buffers already sized. */
  example = Array.from({ length: 64 }, () => new Float32Array(FEATURES));
  private runner: OnnxBatchRunner;

  async onModuleInit(): Promise<void> {
    // Loaded here, in the worker process; `stage: this` shares the cores among this stage's workers.
    const session = await loadOnnxSession({ pathEnv: MLP_MODEL_ENV, stage: this });
    this.runner = new OnnxBatchRunner(session, { outputs: [MLP_OUTPUT] });
  }

  async forward(batch: Float32Array[]): Promise<Array<Float32Array | Error>> {
    const results = await this.runner.run(batch.map((features) => ({ [MLP_INPUT]: features })));
    return results.map((result) => (result instanceof Error ? result : (result[MLP_OUTPUT].data as Float32Array)));
  }
}

/** Picks the most probable class. */
@Stage()
export class Postprocess implements Worker<Float32Array, MlpResponse> {
  forward(probabilities: Float32Array): MlpResponse {
    let label = 0;
    for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[label]) label = k;
    return { label, probabilities: Array.from(probabilities) };
  }
}
