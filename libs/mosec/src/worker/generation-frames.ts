import type { Logger } from '@nestjs/common';
import type { Socket } from 'node:net';
import { describeError } from '../errors';
import { encodeItems, FrameKind } from '../protocol/frame';
import { encodeStreamEvent } from '../protocol/stream-frame';
import { GenerationLoop } from './generation-loop';
import type { ItemCancellation } from './item-cancellation';
import type { GenerationWorker } from './generation-worker';
import type { SharedItems } from './shared-items';
import { requestContext, StageHost } from './stage-host';

/**
 * A generation worker's side of the socket: every item of a BATCH frame joins the running sequences
 * at once (the worker does not wait for the frame before it), each token goes out as a STREAM frame,
 * and a frame's RESULT is sent when its last item has left. A cancelled item's signal is aborted:
 * its sequence leaves at the next step.
 */
export class GenerationFrames {
  private readonly loop: GenerationLoop<unknown, any>;

  constructor(
    private readonly host: StageHost,
    private readonly socket: Socket,
    logger: Logger,
    private readonly shared?: SharedItems | false,
  ) {
    this.loop = new GenerationLoop(host.worker as unknown as GenerationWorker, logger);
  }

  /** Starts the items of a frame; `answered` is called once its RESULT is sent. */
  async take(
    batchId: number,
    flags: number[],
    payloads: Buffer[],
    metas: Array<Buffer | undefined> | undefined,
    cancellations: ItemCancellation[],
    answered: () => void,
  ): Promise<void> {
    const statuses = new Array<number>(payloads.length).fill(200);
    const bodies = new Array<Buffer>(payloads.length);
    let left = payloads.length;
    const answer = (index: number) => (status: number, body: Buffer) => {
      statuses[index] = status;
      bodies[index] = body;
      if (--left > 0) return;
      answered();
      this.socket.write(encodeItems(FrameKind.RESULT, batchId, statuses, bodies));
    };
    try {
      if (this.shared) await this.shared.resolve(flags, payloads);
    } catch (error) {
      const { status, body } = describeError(error);
      return payloads.forEach((_, index) => answer(index)(status, Buffer.from(body)));
    }
    payloads.forEach((payload, index) => {
      let input: unknown;
      try {
        input = this.host.decode(flags[index], payload);
      } catch (error) {
        const { status, body } = describeError(error);
        return answer(index)(status, Buffer.from(body));
      }
      const client = {
        send: (text: string) => void this.socket.write(encodeStreamEvent(batchId, index, text)),
        answer: answer(index),
      };
      void this.loop.add(input, requestContext(metas?.[index], cancellations[index]), client);
    });
  }
}
