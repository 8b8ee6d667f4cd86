import { BatchWorker, Stage, ValidationError } from '@mosec/nest';
import type { EmbeddingItem, EmbeddingResult } from '@mosec/nest/openai';
import { ModelDirectory, SentenceEncoder, TextTokenizer, TokenizedText } from '@mosec/nest/transformers';
import { OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { embeddingModel } from './embedding-model';

/** Tokenizes texts (token ids pass as they are, checked): one worker, batches of up to 64 texts. */
@Stage({ maxBatchSize: 64 })
export class Tokenize implements BatchWorker<EmbeddingItem, TokenizedText>, OnModuleInit {
  example: EmbeddingItem[] = [{ text: 'A warm-up sentence.' }];
  private model: ModelDirectory;
  private tokenizer: TextTokenizer;
  // In the worker; the service's GET /metrics shows it.
  private readonly truncated = new Counter({ name: 'embedding_truncated_inputs_total', help: 'texts cut to the model maximum length' });

  onModuleInit(): void {
    this.model = embeddingModel();
    this.tokenizer = TextTokenizer.load(this.model);
  }

  forward(batch: EmbeddingItem[]): Array<TokenizedText | ValidationError> {
    return batch.map((item) => {
      try {
        return this.tokenize(item);
      } catch (error) {
        return error as ValidationError;
      }
    });
  }

  private tokenize(item: EmbeddingItem): TokenizedText {
    if (typeof (item as { text?: unknown })?.text === 'string') {
      const { text } = item as { text: string };
      if (text.length === 0) throw new ValidationError('text must not be empty');
      const tokenized = this.tokenizer.encode(text);
      if (tokenized.truncated) this.truncated.inc();
      return tokenized;
    }
    const ids = (item as { ids?: unknown })?.ids;
    if (!Array.isArray(ids)) throw new ValidationError('send { "text": string } or { "ids": number[] }');
    if (ids.length === 0 || ids.length > this.model.maxTokens) throw new ValidationError(`ids must have 1 to ${this.model.maxTokens} token ids`);
    if (!ids.every((id) => Number.isInteger(id) && id >= 0 && id < this.model.vocabSize)) {
      throw new ValidationError(`ids must be integers from 0 to ${this.model.vocabSize - 1}`);
    }
    return { ids, truncated: false };
  }
}

/**
 * Runs the model on batches bounded by tokens (`maxBatchCost`: the sum of the items' lengths), as
 * groups of like lengths so that padding stays small; mean pooling and normalisation as
 * sentence-transformers does. Two workers of one intra-op thread each (the session shares the cores
 * among the stage's workers): on 2 cores a worker runs a text in about the same CPU time whether
 * it comes alone or among 32, so what counts is that both workers always have work. Small batches
 * (8 texts, 1,024 tokens) see to it: an idle worker takes one ready batch, and with batches of 64 it
 * took every request of a burst while its sibling idled, then the next burst again (one worker's
 * throughput, 70 req/s at c=32).
 */
@Stage({ num: 2, maxBatchSize: 8, maxBatchCost: 1024, timeout: 30_000 })
export class Embed implements BatchWorker<TokenizedText, EmbeddingResult>, OnModuleInit {
  /** An item's cost in its batch: its tokens. */
  static batchCost(item: TokenizedText): number {
    return Array.isArray(item?.ids) ? item.ids.length : 1;
  }

  /** Warm-up: a full batch of short and long items, so the first real ones find the session ready. */
  example: TokenizedText[] = Array.from({ length: 16 }, (_, i) => ({ ids: [101, ...new Array(i * 16).fill(2023), 102], truncated: false }));
  private encoder: SentenceEncoder;

  async onModuleInit(): Promise<void> {
    this.encoder = await SentenceEncoder.load(embeddingModel(), { stage: this });
  }

  async forward(batch: TokenizedText[]): Promise<EmbeddingResult[]> {
    const vectors = await this.encoder.embed(batch.map((item) => item.ids));
    return batch.map((item, i) => ({ embedding: Array.from(vectors[i]), tokens: item.ids.length, truncated: item.truncated }));
  }
}
