// The workload continuous batching exists for: `clients` clients, each keeping one stream open for a
// fixed time (a new request as soon as its last one ended), each answer's length taken from a fixed
// seeded list of lengths from 16 to 128 tokens (the end-of-sequence token forbidden by the caller, so
// every answer makes its length). A server that generates a batch to its end makes a client whose
// answer is short wait for the batch's longest, and a new request wait for the whole batch; one that
// batches continuously keeps every client's stream running. Throughput: all tokens made over the time
// until the last stream ended (the streams started before the deadline run to their end).
const { join } = require('node:path');
const { DIST } = require('./config');
const PROMPTS = require('./chat-prompts');

const SHORTEST = 16;
const LONGEST = 128;

/** The answer lengths, the same on every machine and run (the examples' seeded generator, compiled). */
function answerLengths(count = 64, seed = 25) {
  const { seededRandom } = require(join(DIST, 'examples', 'mlp', 'seeded-random.js'));
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => SHORTEST + Math.floor(random() * (LONGEST - SHORTEST + 1)));
}

/**
 * Runs the workload through `send(prompt, maxTokens)` (resolves { tokens, ttftMs }). Client c's k-th
 * request takes the list's entry k * clients + c (wrapping), and prompt likewise.
 */
async function sustainedStreams(send, { clients = 8, seconds = 20 } = {}) {
  const lengths = answerLengths();
  const began = performance.now();
  const deadline = began + seconds * 1000;
  const runs = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let k = 0; performance.now() < deadline; k++) {
        const turn = k * clients + client;
        const maxTokens = lengths[turn % lengths.length];
        const run = await send(PROMPTS[turn % PROMPTS.length], maxTokens);
        runs.push({ ...run, maxTokens });
      }
    }),
  );
  const ms = performance.now() - began;
  const tokens = runs.reduce((sum, run) => sum + run.tokens, 0);
  return {
    tokensPerSecond: (tokens * 1000) / ms,
    tokens,
    ms,
    requests: runs.length,
    // Streams that did not make their length: their server's figure is not comparable.
    short: runs.filter((run) => run.tokens !== run.maxTokens).length,
    runs: runs.map(({ tokens: made, maxTokens, ttftMs, totalMs }) => ({ tokens: made, maxTokens, ttftMs, totalMs })),
  };
}

module.exports = { sustainedStreams, answerLengths, SHORTEST, LONGEST };
