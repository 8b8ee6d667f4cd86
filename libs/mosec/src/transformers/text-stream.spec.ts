import { TextStream } from './text-stream';

/** Tokens as text pieces: the "tokenizer" joins them. */
const pieces = (stops: string[]) => {
  const made: string[] = [];
  const stream = new TextStream((ids) => ids.map((id) => made[id]).join(''), stops);
  const push = (piece: string, final = false) => {
    made.push(piece);
    return stream.push(made.map((_, i) => i), final);
  };
  return { stream, push };
};

describe('TextStream', () => {
  it('sends text as it comes when no stop string is asked for', () => {
    const { push } = pieces([]);
    expect([push('The'), push(' cap'), push('ital')]).toEqual(['The', ' cap', 'ital']);
  });

  it('holds back a tail that may begin a stop string, and sends it once it cannot', () => {
    const { push, stream } = pieces(['\nUser:']);
    expect(push('Hi')).toBe('Hi');
    expect(push('\nUs')).toBe('');
    expect(push('ual')).toBe('\nUsual');
    expect(stream.stopped).toBe(false);
  });

  it('never sends a stop string nor what follows, even split across tokens', () => {
    const { push, stream } = pieces(['Paris', 'never']);
    const out = [push('It is P'), push('ar'), push('is, of course')];
    expect(out.join('')).toBe('It is ');
    expect(stream.stopped).toBe(true);
    expect(push('more')).toBe('');
  });

  it('sends what it held back at the end', () => {
    const { push } = pieces(['Paris']);
    expect(push('Pa')).toBe('');
    expect(push('', true)).toBe('Pa');
  });

  it('waits for the rest of a character split between tokens', () => {
    const { push } = pieces([]);
    expect(push('caf\uFFFD')).toBe('caf');
  });
});
