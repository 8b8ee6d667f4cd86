import { ItemCancellation } from './item-cancellation';

describe('ItemCancellation', () => {
  it('gives a signal that aborts when the item is cancelled after it was read', () => {
    const item = new ItemCancellation();
    const { signal } = item;
    const aborted = jest.fn();
    signal.addEventListener('abort', aborted);
    expect(signal.aborted).toBe(false);
    item.cancel();
    expect(signal.aborted).toBe(true);
    expect(aborted).toHaveBeenCalledTimes(1);
  });

  it('gives an aborted signal when the item was cancelled before the stage read it', () => {
    const item = new ItemCancellation();
    item.cancel();
    expect(item.signal.aborted).toBe(true);
  });

  it('gives the same signal each time it is read', () => {
    const item = new ItemCancellation();
    expect(item.signal).toBe(item.signal);
  });
});
