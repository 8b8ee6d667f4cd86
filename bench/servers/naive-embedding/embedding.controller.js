// The naive way to serve embeddings from Nest: POST /v1/embeddings tokenizes and runs the model for
// each request on its own, in the HTTP process: no batching across requests, no workers. Answers
// OpenAI's shape for `input` a string or an array of strings, floats only.
const { BadRequestException } = require('@nestjs/common');
const { postRoute } = require('../plain-nest');

const ENCODER = 'ENCODER';

class EmbeddingController {
  constructor(model) {
    this.model = model;
  }

  async embeddings(body) {
    const { name, tokenizer, encoder } = this.model;
    if (body?.model !== name) throw new BadRequestException(`model must be ${name}`);
    const texts = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string' && text.length > 0)) {
      throw new BadRequestException('input must be a non-empty string or a non-empty array of them');
    }
    const sequences = texts.map((text) => tokenizer.encode(text).ids);
    const vectors = await encoder.embed(sequences);
    const tokens = sequences.reduce((sum, ids) => sum + ids.length, 0);
    return {
      object: 'list',
      data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: Array.from(vector) })),
      model: name,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }
}

postRoute(EmbeddingController, { prefix: 'v1', path: 'embeddings', method: 'embeddings', token: ENCODER });

module.exports = { EmbeddingController, ENCODER };
