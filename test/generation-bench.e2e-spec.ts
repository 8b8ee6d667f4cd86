/** @jest-environment ./test/support/onnx-environment.js */
// The generation benchmark's own parts (bench/): its stream reader against a real HTTP server that
// streams as OpenAI's API does, its agreement check against the plain greedy loop, and its refusal to
// pass over a server it cannot start.
import { execFile } from 'node:child_process';
import { createServer, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';

const { streamChat } = require('../bench/lib/chat-stream');
const { firstDifference } = require('../bench/generation-agreement');
const { loadCausalModel, greedyGenerate, nextTokenLogits } = require('../bench/lib/greedy');
const { sustainedStreams, answerLengths } = require('../bench/lib/sustained-streams');
const { smollm2Dir } = require('../scripts/fetch-smollm2');

jest.setTimeout(300_000);

const chunk = (content: string | undefined, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: content === undefined ? {} : { content }, finish_reason: null }], ...extra })}`;

describe('generation benchmark: the stream reader', () => {
  let server: Server;
  let url: string;
  // What the server writes for the next request: pieces, each after a pause, then it ends the answer (or holds it open).
  let script: { pieces: string[]; pauseMs: number; end: boolean; status?: number };
  const open = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      for await (const _ of request);
      response.writeHead(script.status ?? 200, { 'content-type': 'text/event-stream' });
      open.add(response);
      for (const piece of script.pieces) {
        await new Promise((resolve) => setTimeout(resolve, script.pauseMs));
        response.write(piece);
      }
      if (script.end) response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/chat/completions`;
  });
  afterAll(async () => {
    for (const response of open) response.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads events split anywhere, with CRLF and keep-alive comments, and times the first text and [DONE]', async () => {
    const events = [
      ': keep-alive',
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] })}`,
      chunk('The'),
      chunk(' capital'),
      chunk(undefined, { choices: [{ index: 0, delta: {}, finish_reason: 'length' }] }),
      chunk(undefined, { choices: [], usage: { prompt_tokens: 30, completion_tokens: 2, total_tokens: 32 } }),
      'data: [DONE]',
    ].join('\r\n\r\n') + '\r\n\r\n';
    // Cut into 7-byte pieces: lines, events and CRLF pairs fall across writes.
    script = { pieces: events.match(/[\s\S]{1,7}/g)!, pauseMs: 1, end: true };
    const result = await streamChat(url, { messages: [] });
    expect(result).toMatchObject({ text: 'The capital', chunks: 2, finishReason: 'length', usage: { completion_tokens: 2 } });
    expect(result.ttftMs).toBeGreaterThan(0);
    expect(result.totalMs).toBeGreaterThanOrEqual(result.ttftMs);
  });

  it('ends at [DONE] though the server keeps the connection open (mosec does until its batch ends)', async () => {
    script = { pieces: [`${chunk('Hi')}\n\n`, 'data: [DONE]\n\n'], pauseMs: 1, end: false };
    const result = await Promise.race([
      streamChat(url, {}),
      new Promise((_, reject) => setTimeout(() => reject(new Error('still reading after [DONE]')), 5_000)),
    ]);
    expect(result).toMatchObject({ text: 'Hi' });
  });

  it('rejects a stream that ends without [DONE], an error event, and a status other than 200', async () => {
    script = { pieces: [`${chunk('Hi')}\n\n`], pauseMs: 1, end: true };
    await expect(streamChat(url, {})).rejects.toThrow(/without data: \[DONE\]/);
    script = { pieces: ['event: error\ndata: 422: messages must be a non-empty array\n\n'], pauseMs: 1, end: true };
    await expect(streamChat(url, {})).rejects.toThrow(/error event: 422: messages/);
    script = { pieces: ['{"error":{"message":"max_tokens is too large"}}'], pauseMs: 1, end: true, status: 400 };
    await expect(streamChat(url, {})).rejects.toThrow(/answered 400: .*max_tokens is too large/);
  });
});

describe('generation benchmark: agreement with the greedy loop', () => {
  let model: any;
  let reference: number[];

  beforeAll(async () => {
    model = await loadCausalModel(smollm2Dir());
    reference = (await greedyGenerate(model, [model.chatPrompt('What is the capital of France?')], { maxNewTokens: 16 })).tokens[0];
  });
  const decode = (ids: number[]) => model.tokenizer.decode(ids, { skip_special_tokens: true });

  it("finds no difference in the reference's own text", () => {
    expect(firstDifference(model, reference, decode(reference))).toBeUndefined();
  });

  it("gives the logits the margins are read from: their largest is the greedy loop's token at each step", async () => {
    const prompt = model.chatPrompt('What is the capital of France?');
    for (const at of [0, 4]) {
      const logits: Float32Array = await nextTokenLogits(model, [...prompt, ...reference.slice(0, at)]);
      expect(logits).toHaveLength(model.config.vocab_size);
      expect(logits.indexOf(Math.max(...logits))).toBe(reference[at]);
    }
  });

  it('names the first token that differs, the one served in its place, and a text that stops early or goes on', () => {
    const at = 3;
    const served = `${decode(reference.slice(0, at))} banana`;
    const difference = firstDifference(model, reference, served);
    expect(difference).toEqual({ position: at, reference: reference[at], served: model.tokenizer.encode(' banana', { add_special_tokens: false }).ids[0] });
    expect(firstDifference(model, reference, decode(reference.slice(0, 5)))).toEqual({ position: 5, reference: reference[5], served: model.config.eos_token_id });
    expect(firstDifference(model, reference, `${decode(reference)} And more.`)).toMatchObject({ position: reference.length });
  });
});

describe('generation benchmark: clients keeping a stream open for a fixed time', () => {
  it('keeps one stream a client open until the time is up, each answer as long as the seeded list says', async () => {
    let open = 0;
    let most = 0;
    const asked: number[] = [];
    const send = async (_prompt: string, maxTokens: number) => {
      const call = asked.push(maxTokens);
      most = Math.max(most, ++open);
      await new Promise((resolve) => setTimeout(resolve, 20));
      open--;
      // One answer falls a token short: the run counts it.
      return { tokens: call === 3 ? maxTokens - 1 : maxTokens, ttftMs: 1, totalMs: 20 };
    };
    const began = performance.now();
    const result = await sustainedStreams(send, { clients: 8, seconds: 0.3 });
    expect(performance.now() - began).toBeGreaterThanOrEqual(300);
    expect(most).toBe(8);
    expect(asked.length).toBeGreaterThanOrEqual(16);
    expect(result.requests).toBe(asked.length);
    expect(result.short).toBe(1);
    expect(result.tokens).toBe(asked.reduce((sum, length) => sum + length, 0) - 1);
    expect(result.tokensPerSecond).toBeCloseTo((result.tokens * 1000) / result.ms, 6);
    // The same lengths on every run, spread from 16 to 128; client c's first answer takes entry c.
    const lengths: number[] = answerLengths();
    expect(answerLengths()).toEqual(lengths);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(16);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(128);
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeGreaterThan(64);
    expect(asked.slice(0, 8)).toEqual(lengths.slice(0, 8));
  });
});

describe('generation benchmark: a server it cannot start', () => {
  it('fails loudly, naming the missing example, instead of leaving its row out', async () => {
    // MOSEC_DIST is relative to the project: a folder that does not exist.
    const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const env = { ...process.env, MOSEC_DIST: 'dist-none', BENCH_SERVERS: 'ours', BENCH_ROUNDS: '1', BENCH_WRITE: '0' };
      const child = execFile(process.execPath, [join(__dirname, '..', 'bench', 'generation.js')], { env, timeout: 60_000 }, (_, stdout, stderr) =>
        resolve({ code: child.exitCode, output: `${stdout}${stderr}` }),
      );
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`FAILED: round 1, ours (examples/chat): no ${join(__dirname, '..', 'dist-none', 'examples', 'chat', 'main.js')}`);
  });
});
