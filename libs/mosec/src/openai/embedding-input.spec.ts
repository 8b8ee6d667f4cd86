import { embeddingInputProblem, embeddingItems, tokenIdsProblem } from './embedding-input';

describe('embedding inputs', () => {
  it('takes the four shapes of OpenAI, as items in order', () => {
    expect(embeddingItems('a')).toEqual([{ text: 'a' }]);
    expect(embeddingItems(['a', 'b'])).toEqual([{ text: 'a' }, { text: 'b' }]);
    expect(embeddingItems([101, 102])).toEqual([{ ids: [101, 102] }]);
    expect(embeddingItems([[101], [102, 103]])).toEqual([{ ids: [101] }, { ids: [102, 103] }]);
    for (const input of ['a', ['a', 'b'], [1, 2], [[1], [2]]]) expect(embeddingInputProblem(input)).toBeUndefined();
  });

  it.each([
    [undefined, /required/],
    ['', /empty string/],
    [[], /empty array/],
    [[[]], /input\[0\] must not be an empty array/],
    [7, /must be a string, an array/],
    [[true], /input\[0\] must be a string, a token id/],
    [['a', 2], /input\[1\] must be a string/],
    [[1, 'a'], /input\[1\] must be a token id/],
    [[1.5], /token id/],
    [[[1], 2], /input\[1\] must be an array of token ids/],
    [[[[1]]], /input\[0\]\[0\] must be a token id/],
    [Array.from({ length: 2049 }, () => 'a'), /at most 2048/],
  ])('refuses %j', (input, message) => {
    expect(embeddingInputProblem(input)).toMatch(message);
  });

  it("bounds token ids by the model's vocabulary and length, naming the input", () => {
    expect(tokenIdsProblem([{ ids: [1, 2] }], 10, 4)).toBeUndefined();
    expect(tokenIdsProblem([{ ids: [1, 10] }], 10, 4)).toMatch(/input\[1\] is 10, not a token id of the model \(0 to 9\)/);
    expect(tokenIdsProblem([{ ids: [1] }, { ids: [1, 2, 3, 4, 5] }], 10, 4)).toMatch(/input\[1\] has 5 tokens, the model takes at most 4/);
    expect(tokenIdsProblem([{ text: 'x'.repeat(100) }], 10, 4)).toBeUndefined();
  });
});
