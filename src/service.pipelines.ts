import { Module } from '@nestjs/common';
import { Pipeline } from '@mosec/nest';
import { Inference, Postprocess, Preprocess } from '../examples/mlp/mlp.stages';
import { Classify, Decode, Detect, Recognize } from '../examples/ocr/ocr.stages';

/** Text recognition: POST an image (PNG/JPEG bytes), get `{ lines: [{ text, confidence, box }] }`. */
@Pipeline('/ocr', { stages: [Decode, Detect, Classify, Recognize] })
@Module({ providers: [Decode, Detect, Classify, Recognize] })
export class OcrService {}

/** The MLP classifier: POST `{ "features": number[16] }`, get `{ label, probabilities }`. */
@Pipeline('/classify', { stages: [Preprocess, Inference, Postprocess] })
@Module({ providers: [Preprocess, Inference, Postprocess] })
export class ClassifyService {}
