import { Stage, StreamWorker, ValidationError, Worker } from '@mosec/nest';

/** Reads `text` from the request. */
@Stage()
export class Preprocess implements Worker<{ text?: unknown }, string> {
  forward(request: { text?: unknown }): string {
    if (typeof request?.text !== 'string') throw new ValidationError('text is required');
    return request.text;
  }
}

export const EPOCHS = 5;

/** Streams its input back, once per epoch, to each client of the batch (as mosec's SSE example). */
@Stage({ maxBatchSize: 2 })
export class Inference extends StreamWorker<string[]> {
  forward(batch: string[]): void {
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      batch.forEach((text, index) => this.sendStreamEvent(text, index));
    }
  }
}
