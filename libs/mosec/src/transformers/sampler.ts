/** How the next token is chosen from the logits (OpenAI's parameters). */
export interface SamplingOptions {
  /** 0: always the most likely token (greedy). Default 1. */
  temperature?: number;
  /** Sample from the smallest set of tokens whose probabilities add up to `topP`. Default 1. */
  topP?: number;
  /** The same seed and the same prompt give the same text. Default: a random one. */
  seed?: number;
}

/** Below this share of the most likely token's probability a token is left out of top-p sampling (e^-20). */
const NEGLIGIBLE_LOGIT_GAP = 20;

/** Chooses tokens for one sequence: greedy at temperature 0, else softmax sampling with top-p, from a seeded generator. */
export class Sampler {
  private readonly temperature: number;
  private readonly topP: number;
  private state: number;

  constructor(options: SamplingOptions = {}) {
    this.temperature = options.temperature ?? 1;
    this.topP = options.topP ?? 1;
    this.state = (options.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  }

  pick(logits: Float32Array): number {
    const best = argmax(logits);
    if (this.temperature <= 0) return best;
    // Candidates: the tokens within reach of the best one, most likely first.
    const floor = logits[best] - NEGLIGIBLE_LOGIT_GAP * this.temperature;
    const candidates: number[] = [];
    for (let token = 0; token < logits.length; token++) if (logits[token] >= floor) candidates.push(token);
    candidates.sort((a, b) => logits[b] - logits[a]);
    const weights = candidates.map((token) => Math.exp((logits[token] - logits[best]) / this.temperature));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let kept = candidates.length;
    if (this.topP < 1) {
      let mass = 0;
      for (let i = 0; i < candidates.length; i++) {
        mass += weights[i] / total;
        if (mass >= this.topP) {
          kept = i + 1;
          break;
        }
      }
    }
    const keptTotal = weights.slice(0, kept).reduce((sum, weight) => sum + weight, 0);
    let target = this.random() * keptTotal;
    for (let i = 0; i < kept; i++) {
      target -= weights[i];
      if (target <= 0) return candidates[i];
    }
    return candidates[kept - 1];
  }

  /** mulberry32: a small, fast generator whose sequence the seed fixes. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
