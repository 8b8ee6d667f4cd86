import { BatchWorker, Stage, ValidationError, Worker } from '@mosec/nest';
import { setTimeout as sleep } from 'node:timers/promises';
import { EchoRequest, EchoResponse } from './echo.dto';

/** Reads `time` from the request: a number, or a string holding one, as mosec's echo takes `float(time)`. */
@Stage({ num: 2 })
export class Preprocess implements Worker<EchoRequest, number> {
  example: EchoRequest = { time: 0 };

  forward(request: EchoRequest): number {
    const raw = request?.time;
    // Number('') and Number(' ') are 0: a blank string is no number.
    const time = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
      throw new ValidationError('time must be a non-negative number');
    }
    return time;
  }
}

/**
 * `ECHO_MAX_WAIT` (ms, or `auto`) lets a benchmark compare batch waits without editing the example;
 * unset, the stage waits as the service's `wait` says (`'auto'` unless changed).
 */
const wait = process.env.ECHO_MAX_WAIT;
const maxWaitTime = wait === undefined || wait === 'auto' ? wait : Number(wait);

/** Sleeps as long as the longest request of its batch asks. */
@Stage({ maxBatchSize: 32, maxWaitTime })
export class Inference implements BatchWorker<number, number> {
  example = [0, 1e-5, 2e-4];

  async forward(batch: number[]): Promise<number[]> {
    const seconds = Math.max(...batch);
    if (seconds > 0) await sleep(seconds * 1000);
    return batch;
  }
}

@Stage()
export class Postprocess implements Worker<number, EchoResponse> {
  forward(time: number): EchoResponse {
    return { msg: `sleep ${time} seconds` };
  }
}
