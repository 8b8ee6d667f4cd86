import { ValidationError } from '../errors';
import { GenerationLoop } from './generation-loop';
import { GenerationWorker, PrefillChunk } from './generation-worker';

interface Seq {
  name: string;
  promptLength: number;
  tokens: number;
  made: number;
}

/** Records each step; each sequence makes `tokens` tokens, its first when its prompt is read. */
class Recorder extends GenerationWorker<{ name: string; prompt: number; tokens: number }, Seq> {
  readonly steps: string[] = [];
  readonly ended: string[] = [];
  failOn?: string;
  onStep?: () => void;

  start(input: { name: string; prompt: number; tokens: number }): Seq {
    if (input.prompt < 1) throw new ValidationError('empty prompt');
    return { name: input.name, promptLength: input.prompt, tokens: input.tokens, made: 0 };
  }

  step(decode: Seq[], prefill: Array<PrefillChunk<Seq>>): void {
    this.steps.push([...decode.map((s) => s.name), ...prefill.map((c) => `${c.sequence.name}[${c.from}:${c.to}]`)].join(' '));
    this.onStep?.();
    if (this.failOn && [...decode, ...prefill.map((c) => c.sequence)].some((s) => s.name === this.failOn)) throw new Error('the model failed');
    for (const s of decode) this.token(s);
    for (const chunk of prefill) if (chunk.to === chunk.sequence.promptLength) this.token(chunk.sequence);
  }

  private token(s: Seq): void {
    s.made++;
    this.emit(s, `${s.name}${s.made}`, s.made === s.tokens);
  }

  end(s: Seq): void {
    this.ended.push(s.name);
  }
}

function client() {
  const events: string[] = [];
  let answer!: (value: { status: number; body: string }) => void;
  const answered = new Promise<{ status: number; body: string }>((resolve) => (answer = resolve));
  return { events, answered, send: (text: string) => events.push(text), answer: (status: number, body: Buffer) => answer({ status, body: body.toString() }) };
}

const context = (signal = new AbortController().signal) => ({ headers: {}, signal });
const quiet = { error: () => undefined };

describe('GenerationLoop', () => {
  it('lets a request join at the next step while another decodes, reading long prompts in chunks between decode steps', async () => {
    const worker = new Recorder();
    worker.prefillChunk = 4;
    const loop = new GenerationLoop(worker, quiet);
    const a = client();
    const b = client();
    await loop.add({ name: 'a', prompt: 2, tokens: 4 }, context(), a);
    worker.onStep = () => {
      if (worker.steps.length === 2) void loop.add({ name: 'b', prompt: 10, tokens: 2 }, context(), b);
    };
    await Promise.all([a.answered, b.answered]);
    expect(worker.steps).toEqual(['a[0:2]', 'a', 'a b[0:4]', 'a b[4:8]', 'b[8:10]', 'b']);
    expect(a.events).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(b.events).toEqual(['b1', 'b2']);
    expect(worker.ended).toEqual(['a', 'b']);
  });

  it('bounds a step by its token budget: one token per decoding sequence, prompt chunks with the rest', async () => {
    const worker = new Recorder();
    worker.stepTokens = 6;
    worker.prefillChunk = 4;
    const loop = new GenerationLoop(worker, quiet);
    const clients = [client(), client(), client()];
    await loop.add({ name: 'a', prompt: 1, tokens: 3 }, context(), clients[0]);
    await loop.add({ name: 'b', prompt: 4, tokens: 1 }, context(), clients[1]);
    await loop.add({ name: 'c', prompt: 4, tokens: 1 }, context(), clients[2]);
    await Promise.all(clients.map((c) => c.answered));
    expect(worker.steps).toEqual(['a[0:1] b[0:4] c[0:1]', 'a c[1:4]', 'a']);
  });

  it('takes a cancelled sequence out before the next step and answers it 499; the others go on', async () => {
    const worker = new Recorder();
    const loop = new GenerationLoop(worker, quiet);
    const abort = new AbortController();
    const [a, b] = [client(), client()];
    await loop.add({ name: 'a', prompt: 1, tokens: 50 }, context(abort.signal), a);
    await loop.add({ name: 'b', prompt: 1, tokens: 4 }, context(), b);
    worker.onStep = () => worker.steps.length === 2 && abort.abort();
    expect((await a.answered).status).toBe(499);
    // Aborted during its second step: that step's token is not sent.
    expect(a.events).toEqual(['a1']);
    expect(worker.ended[0]).toBe('a');
    expect((await b.answered).status).toBe(200);
    expect(worker.steps.slice(2).every((step) => !step.includes('a'))).toBe(true);
  });

  it('fails the sequences of a step that throws, answers a request that does not start, and keeps serving', async () => {
    const worker = new Recorder();
    const loop = new GenerationLoop(worker, quiet);
    worker.failOn = 'bad';
    const [bad, empty, good] = [client(), client(), client()];
    await loop.add({ name: 'bad', prompt: 1, tokens: 2 }, context(), bad);
    await loop.add({ name: 'none', prompt: 0, tokens: 2 }, context(), empty);
    expect(await bad.answered).toEqual({ status: 500, body: expect.any(String) });
    expect((await empty.answered).status).toBe(422);
    await loop.add({ name: 'good', prompt: 1, tokens: 2 }, context(), good);
    expect(await good.answered).toEqual({ status: 200, body: '' });
    expect(good.events).toEqual(['good1', 'good2']);
  });
});
