// The plain greedy loop over a converted causal language model (onnx/model.onnx with its key/value
// cache), in onnxruntime-node: the reference that batched and served generation is checked against.
// Prompts are left-padded into one batch; each step feeds every sequence's last token, extends the
// attention mask by one column and passes the cache back in.

const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Loads the session, the tokenizer and the chat template of a model directory. */
async function loadCausalModel(dir, { threads = 2 } = {}) {
  const ort = require('onnxruntime-node');
  const { Tokenizer } = require('@huggingface/tokenizers');
  const { Template } = require('@huggingface/jinja');
  const readJson = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const config = readJson('config.json');
  const tokenizerConfig = readJson('tokenizer_config.json');
  const tokenizer = new Tokenizer(readJson('tokenizer.json'), tokenizerConfig);
  const template = new Template(tokenizerConfig.chat_template);
  const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  /** The token ids of a one-turn chat, ready for the assistant's answer. */
  const chatPrompt = (content) =>
    tokenizer.encode(template.render({ messages: [{ role: 'user', content }], add_generation_prompt: true }), {
      add_special_tokens: false,
    }).ids;
  return { ort, session, config, tokenizer, chatPrompt };
}

/**
 * Greedy continuation of each prompt (arrays of token ids), all in one batch. Returns the new tokens
 * of each (up to `maxNewTokens`, cut after the end-of-sequence token) and the time of each forward.
 */
async function greedyGenerate(model, prompts, { maxNewTokens = 16, stopAtEos = true } = {}) {
  const { ort, session, config } = model;
  const batch = prompts.length;
  const longest = Math.max(...prompts.map((prompt) => prompt.length));
  const pad = config.pad_token_id ?? config.eos_token_id ?? 0;
  const eos = config.eos_token_id;
  const kvHeads = config.num_key_value_heads;
  const headDim = config.head_dim ?? config.hidden_size / config.num_attention_heads;

  const ids = new BigInt64Array(batch * longest).fill(BigInt(pad));
  let mask = new BigInt64Array(batch * longest);
  const positions = new BigInt64Array(batch * longest);
  const nextPosition = new Array(batch).fill(0);
  prompts.forEach((prompt, row) => {
    const start = longest - prompt.length;
    prompt.forEach((token, i) => {
      ids[row * longest + start + i] = BigInt(token);
      mask[row * longest + start + i] = 1n;
      positions[row * longest + start + i] = BigInt(i);
    });
    nextPosition[row] = prompt.length;
  });

  let feeds = {
    input_ids: new ort.Tensor('int64', ids, [batch, longest]),
    attention_mask: new ort.Tensor('int64', mask, [batch, longest]),
    position_ids: new ort.Tensor('int64', positions, [batch, longest]),
  };
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    for (const part of ['key', 'value']) {
      feeds[`past_key_values.${layer}.${part}`] = new ort.Tensor('float32', new Float32Array(0), [batch, kvHeads, 0, headDim]);
    }
  }

  const generated = prompts.map(() => []);
  const done = new Array(batch).fill(false);
  const forwardMs = [];
  for (let step = 0; step < maxNewTokens; step++) {
    const started = performance.now();
    const outputs = await session.run(feeds);
    forwardMs.push(performance.now() - started);
    const next = lastTokenArgmax(outputs.logits);
    next.forEach((token, row) => {
      if (done[row]) return;
      generated[row].push(token);
      if (stopAtEos && token === eos) done[row] = true;
    });
    if (done.every(Boolean) || step + 1 === maxNewTokens) break;

    const columns = mask.length / batch;
    const grown = new BigInt64Array(batch * (columns + 1));
    for (let row = 0; row < batch; row++) {
      grown.set(mask.subarray(row * columns, (row + 1) * columns), row * (columns + 1));
      grown[row * (columns + 1) + columns] = 1n;
    }
    mask = grown;
    feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(next, BigInt), [batch, 1]),
      attention_mask: new ort.Tensor('int64', mask, [batch, columns + 1]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(nextPosition.map((position) => BigInt(position))), [batch, 1]),
    };
    nextPosition.forEach((_, row) => nextPosition[row]++);
    for (let layer = 0; layer < config.num_hidden_layers; layer++) {
      feeds[`past_key_values.${layer}.key`] = outputs[`present.${layer}.key`];
      feeds[`past_key_values.${layer}.value`] = outputs[`present.${layer}.value`];
    }
  }
  return { tokens: generated, forwardMs };
}

/**
 * The logits of the token that follows `ids` (one sequence, one forward over all of it, no cache):
 * a Float32Array over the vocabulary, to see how close two candidate tokens were.
 */
async function nextTokenLogits(model, ids) {
  const { ort, session, config } = model;
  const length = ids.length;
  const headDim = config.head_dim ?? config.hidden_size / config.num_attention_heads;
  const feeds = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, length]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(length).fill(1n), [1, length]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.keys(), BigInt), [1, length]),
  };
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    for (const part of ['key', 'value']) {
      feeds[`past_key_values.${layer}.${part}`] = new ort.Tensor('float32', new Float32Array(0), [1, config.num_key_value_heads, 0, headDim]);
    }
  }
  const { logits } = await session.run(feeds);
  const vocab = logits.dims[2];
  return logits.data.slice((length - 1) * vocab, length * vocab);
}

/** The most likely next token of each row: argmax over the logits of its last position. */
function lastTokenArgmax(logits) {
  const [batch, sequence, vocab] = logits.dims;
  const data = logits.data;
  const tokens = [];
  for (let row = 0; row < batch; row++) {
    const offset = (row * sequence + sequence - 1) * vocab;
    let best = 0;
    for (let token = 1; token < vocab; token++) if (data[offset + token] > data[offset + best]) best = token;
    tokens.push(best);
  }
  return tokens;
}

module.exports = { loadCausalModel, greedyGenerate, lastTokenArgmax, nextTokenLogits };
