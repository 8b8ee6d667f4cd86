import { Module } from '@nestjs/common';
import { Pipeline } from '@mosec/nest';
import { Inference, Postprocess, Preprocess } from './mlp.stages';

@Pipeline('/inference', { stages: [Preprocess, Inference, Postprocess] })
@Module({ providers: [Preprocess, Inference, Postprocess] })
export class MlpPipeline {}
