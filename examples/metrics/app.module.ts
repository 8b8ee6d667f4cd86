import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { MetricsPipeline } from './metrics.pipeline';

// curl -X POST localhost:8000/inference -d '{"num": 3}' && curl -s localhost:8000/metrics | grep inference_result_total
@Module({ imports: [MosecModule.forRoot({ pipelines: [MetricsPipeline] })] })
export class AppModule {}
