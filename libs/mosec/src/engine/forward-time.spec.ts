import { ForwardTime } from './forward-time';

describe('ForwardTime', () => {
  it('knows nothing before the first batch', () => {
    const forward = new ForwardTime();
    expect(forward.known).toBe(false);
    expect(forward.estimate(8)).toBe(0);
  });

  it('fits the fixed and per-item parts from batches of different sizes', () => {
    const forward = new ForwardTime();
    for (const items of [64, 1, 32, 64, 8, 1, 64]) forward.observe(items, 4 + 0.35 * items);
    expect(forward.estimate(1)).toBeCloseTo(4.35, 5);
    expect(forward.estimate(64)).toBeCloseTo(26.4, 5);
  });

  it('takes the measured duration while every batch has the same size', () => {
    const forward = new ForwardTime();
    for (let i = 0; i < 5; i++) forward.observe(64, 27);
    expect(forward.estimate(1)).toBeCloseTo(27, 5);
  });

  it('follows a change: recent batches count most', () => {
    const forward = new ForwardTime();
    for (let i = 0; i < 20; i++) forward.observe(i % 2 ? 1 : 32, i % 2 ? 2 : 10);
    for (let i = 0; i < 30; i++) forward.observe(i % 2 ? 1 : 32, i % 2 ? 20 : 100);
    expect(forward.estimate(1)).toBeGreaterThan(15);
  });

  it('never gives a negative fixed part, however noisy the batches', () => {
    const forward = new ForwardTime();
    for (const [items, ms] of [[1, 9], [2, 1], [64, 30], [3, 0.5]]) forward.observe(items, ms);
    expect(forward.estimate(0)).toBeGreaterThanOrEqual(0);
  });
});
