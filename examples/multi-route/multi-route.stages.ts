import { Logger } from '@nestjs/common';
import { BatchWorker, Stage, Worker } from '@mosec/nest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LengthResponse, TypedRequest } from './multi-route.dto';

/** What the shared stage gets from either route: the bytes, and which route they came from. */
export interface Payload {
  route: string;
  bytes: Buffer;
}

/** `POST /inference`: the body is the payload, whatever its content type. */
@Stage()
export class RawPreprocess implements Worker<Buffer, Payload> {
  deserialize(data: Buffer): Buffer {
    return data;
  }

  forward(bytes: Buffer): Payload {
    return { route: '/inference', bytes };
  }
}

/** `POST /v1/inference`: the checked msgpack request (see TypedRequest). */
@Stage()
export class TypedPreprocess implements Worker<TypedRequest, Payload> {
  forward(request: TypedRequest): Payload {
    return { route: '/v1/inference', bytes: request.bin };
  }
}

/**
 * Counts bytes. Both pipelines list this class, so both routes share its workers and its batches; it
 * logs where each batch came from.
 */
@Stage({ maxBatchSize: 16, maxWaitTime: 50 })
export class CountLength implements BatchWorker<Payload, LengthResponse> {
  private readonly logger = new Logger('CountLength');

  async forward(batch: Payload[]): Promise<LengthResponse[]> {
    const from = (route: string) => batch.filter((item) => item.route === route).length;
    this.logger.log(`batch of ${batch.length}: ${from('/inference')} from /inference, ${from('/v1/inference')} from /v1/inference`);
    await sleep(10);
    return batch.map((item) => ({ length: item.bytes.length }));
  }
}
