import { FrameWork } from './frame-work';

describe('FrameWork', () => {
  it('knows nothing before a frame, and takes the fastest lone frame as the bound before a frame of several items', () => {
    const work = new FrameWork();
    expect(work.perItemMs).toBe(0);
    for (const ms of [30, 20, 25]) work.observe(1, ms);
    expect(work.perItemMs).toBe(20);
    expect(work.probeDue).toBe(true); // a frame of two tells the item's work from the frame's delay
  });

  it('measures what each item adds beyond the fastest frame, however late the others came back', () => {
    const work = new FrameWork();
    for (const [items, ms] of [[1, 10], [1, 30], [30, 60], [30, 12.9], [4, 80]]) work.observe(items, ms);
    expect(work.perItemMs).toBeCloseTo(0.1, 5);
  });

  it("keeps a long item's measure while frames hold one item, and asks for a frame of two after 16", () => {
    const work = new FrameWork();
    work.observe(1, 20);
    work.observe(3, 60);
    for (let i = 0; i < 15; i++) work.observe(1, 20);
    expect(work.perItemMs).toBeCloseTo(20, 5);
    expect(work.probeDue).toBe(false);
    work.observe(1, 20);
    expect(work.probeDue).toBe(true);
    work.observe(2, 40);
    expect(work.probeDue).toBe(false);
  });
});
