// How close a server's embeddings are to the reference's (bench/peers/mosec-embedding/reference.py:
// onnxruntime and HF `tokenizers` in Python on the same ONNX file): one request per text, the cosine
// of its vector with the reference's, and its usage.prompt_tokens against the reference's count.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { median } = require('./stats');

const PEER = join(__dirname, '..', 'peers', 'mosec-embedding');

/** { vectors, tokens } of the reference for `texts`, computed by `python` (the peer's venv) one text at a time. */
function referenceEmbeddings(python, texts, env = {}) {
  const run = spawnSync(python, [join(PEER, 'reference.py')], {
    cwd: PEER,
    input: JSON.stringify(texts),
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  if (run.status !== 0) throw new Error(`reference.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

function cosine(a, b) {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return dot / Math.sqrt(aa * bb);
}

/**
 * POSTs each text alone to `url` (`body(text)` gives the JSON) and compares with `reference`:
 * { minCosine, medianCosine, tokensEqual, count, mismatches: [{ index, text, cosine, tokens, expected }] }.
 * A vector of another length or a failed request counts as cosine 0.
 */
async function compareWithReference(url, texts, reference, body) {
  const cosines = [];
  const mismatches = [];
  let tokensEqual = 0;
  for (const [index, text] of texts.entries()) {
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(text) });
    const json = await answer.json().catch(() => undefined);
    const vector = answer.status === 200 ? json?.data?.[0]?.embedding : undefined;
    const expected = reference.vectors[index];
    const similarity = Array.isArray(vector) && vector.length === expected.length ? cosine(vector, expected) : 0;
    const tokens = json?.usage?.prompt_tokens;
    cosines.push(similarity);
    if (tokens === reference.tokens[index]) tokensEqual++;
    if (similarity < 0.999 || tokens !== reference.tokens[index]) {
      mismatches.push({ index, text, status: answer.status, cosine: similarity, tokens, expected: reference.tokens[index] });
    }
  }
  return { minCosine: Math.min(...cosines), medianCosine: median(cosines), tokensEqual, count: texts.length, mismatches };
}

module.exports = { referenceEmbeddings, compareWithReference, cosine };
