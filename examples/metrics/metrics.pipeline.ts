import { Module } from '@nestjs/common';
import { Pipeline } from '@mosec/nest';
import { Inference } from './metrics.stages';

@Pipeline('/inference', { stages: [Inference] })
@Module({ providers: [Inference] })
export class MetricsPipeline {}
