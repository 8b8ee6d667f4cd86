/** @jest-environment ./test/support/onnx-environment.js */
// CausalLm's two ways of keeping a decode batch's cache, on the converted SmolLM2-135M-Instruct: the
// converted graph returns the new tokens' keys and values (`new_key_values.*`), so each step writes
// its new column into a cache kept with free columns; the same graph without those outputs (as an
// Optimum export has only `present.*`) takes the whole cache back each step. Both must make the same
// greedy tokens through rows joining, leaving, and the cache outgrowing its free columns.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { CausalLm, LmRow } from '../libs/mosec/src/transformers/causal-lm';
import { readModelDirectory } from '../libs/mosec/src/transformers/model-directory';
import { argmax } from '../libs/mosec/src/transformers/sampler';

const { loadCausalModel } = require('../bench/lib/greedy');
const { smollm2Dir } = require('../scripts/fetch-smollm2');

jest.setTimeout(300_000);

/** A schedule of joins, steps and a leave, greedy; returns each row's tokens. */
async function run(lm: CausalLm, prompts: number[][]): Promise<number[][]> {
  const rows: LmRow[] = prompts.map(() => ({ position: 0, next: 0 }));
  const made: number[][] = prompts.map(() => []);
  const take = (which: number[], logits: Float32Array[]) =>
    which.forEach((r, i) => {
      rows[r].next = argmax(logits[i]);
      made[r].push(rows[r].next);
    });
  const join = async (which: number[]) => take(which, await lm.prefill(which.map((r) => ({ row: rows[r], tokens: prompts[r] }))));
  const steps = async (which: number[], count: number) => {
    for (let i = 0; i < count; i++) take(which, await lm.decode(which.map((r) => rows[r])));
  };
  await join([0, 1]);
  await steps([0, 1], 6);
  await steps([0], 3); // row 1 left
  await join([2]);
  await steps([2, 0], 40); // row 2 joined (first); more steps than the free columns
  return made;
}

describe('CausalLm: the decode cache written in place, and taken back whole', () => {
  let scratch: string;
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('makes the same greedy tokens with new_key_values.* (in place) as with present.* alone', async () => {
    const model = readModelDirectory(smollm2Dir());
    const reference = await loadCausalModel(model.dir);
    const prompts = ['What is the capital of France?', 'Hi', 'Write a short poem about autumn leaves.'].map((text) => reference.chatPrompt(text));
    await reference.session.release?.();

    // The same graph without its new_key_values.* outputs.
    scratch = mkdtempSync(join(tmpdir(), 'causal-lm-'));
    const proto = onnx.ModelProto.decode(readFileSync(model.onnxPath));
    proto.graph!.output = proto.graph!.output!.filter((output) => !output.name!.startsWith('new_key_values.'));
    const presentOnly = join(scratch, 'model.onnx');
    writeFileSync(presentOnly, onnx.ModelProto.encode(proto).finish());

    const inPlace = await CausalLm.load(model);
    inPlace.spareColumns = 8;
    const whole = await CausalLm.load({ ...model, onnxPath: presentOnly });
    expect(inPlace.returnsNewColumns).toBe(true);
    expect(whole.returnsNewColumns).toBe(false);

    const tokensInPlace = await run(inPlace, prompts);
    const tokensWhole = await run(whole, prompts);
    expect(tokensInPlace.map((tokens) => tokens.length)).toEqual([50, 7, 41]);
    expect(tokensInPlace).toEqual(tokensWhole);
    expect(reference.tokenizer.decode(tokensInPlace[0], { skip_special_tokens: true })).toMatch(/Paris/);
  });
});
