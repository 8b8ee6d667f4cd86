import { Stage } from '@mosec/nest';
import { TextGenerationWorker } from '@mosec/nest/transformers';
import { OnModuleInit } from '@nestjs/common';
import { chatModel } from './chat-model';

/**
 * The model, as a generation stage: one worker runs up to 8 sequences at once (continuous batching),
 * its session on both cores; a ninth request waits in the queue until one of them leaves.
 */
@Stage({ maxBatchSize: 8 })
export class Generate extends TextGenerationWorker implements OnModuleInit {
  onModuleInit(): Promise<void> {
    return this.load(chatModel());
  }
}
