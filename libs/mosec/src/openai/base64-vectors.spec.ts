import { vectorFromBase64, vectorToBase64 } from './base64-vectors';

describe('base64 vectors', () => {
  it('writes little-endian float32, as OpenAI and its clients read it', () => {
    expect(Buffer.from(vectorToBase64([1, -2]), 'base64')).toEqual(Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]));
  });

  it('round-trips float32 values exactly', () => {
    const vector = Float32Array.from([0.1, -0.25, 1e-8, 3.4e38]);
    expect(vectorFromBase64(vectorToBase64(vector))).toEqual(vector);
    expect(() => vectorFromBase64('AAA=')).toThrow(/multiple of 4/);
  });
});
