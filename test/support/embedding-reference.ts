import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One text of test/fixtures/embeddings/reference.json, as Python's onnxruntime and tokenizers embed it. */
export interface ReferenceCase {
  text: string;
  ids: number[];
  embedding: number[];
}

/** What test/fixtures/embeddings/reference.py wrote for all-MiniLM-L6-v2. */
export const reference: { model: string; maxTokens: number; cases: ReferenceCase[] } = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'embeddings', 'reference.json'), 'utf8'),
);
