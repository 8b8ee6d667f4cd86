import { Module } from '@nestjs/common';
import { Pipeline } from '@mosec/nest';
import { Classify, Decode, Detect, Recognize } from './ocr.stages';

/** POST an image (PNG/JPEG bytes), get `{ lines: [{ text, confidence, box }] }` in reading order. */
@Pipeline('/inference', { stages: [Decode, Detect, Classify, Recognize] })
@Module({ providers: [Decode, Detect, Classify, Recognize] })
export class OcrPipeline {}
