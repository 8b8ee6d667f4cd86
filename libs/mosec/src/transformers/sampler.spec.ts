import { Sampler } from './sampler';

const logits = Float32Array.from([1, 3, 2.9, -4, 0.5]);

describe('Sampler', () => {
  it('takes the most likely token at temperature 0', () => {
    expect(new Sampler({ temperature: 0, seed: 1 }).pick(logits)).toBe(1);
  });

  it('draws the same tokens for the same seed, others for another', () => {
    const draw = (seed: number) => {
      const sampler = new Sampler({ temperature: 1, seed });
      return Array.from({ length: 40 }, () => sampler.pick(logits));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps to the smallest set of tokens within top_p', () => {
    const sampler = new Sampler({ temperature: 1, topP: 0.4, seed: 3 });
    const drawn = new Set(Array.from({ length: 200 }, () => sampler.pick(logits)));
    expect([...drawn]).toEqual([1]);
    const wider = new Sampler({ temperature: 1, topP: 0.85, seed: 3 });
    expect(new Set(Array.from({ length: 200 }, () => wider.pick(logits)))).toEqual(new Set([1, 2]));
  });
});
