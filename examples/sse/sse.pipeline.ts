import { Module } from '@nestjs/common';
import { Pipeline } from '@mosec/nest';
import { Inference, Preprocess } from './sse.stages';

/** The last stage is a StreamWorker, so the route answers text/event-stream. */
@Pipeline('/inference', { stages: [Preprocess, Inference] })
@Module({ providers: [Preprocess, Inference] })
export class SsePipeline {}
