import { errorEventData, formatEvent } from './sse';

describe('server-sent event text', () => {
  it('writes a message event as data lines, one per line of text', () => {
    expect(formatEvent('mosec')).toBe('data: mosec\n\n');
    expect(formatEvent('a\nb\r\nc')).toBe('data: a\ndata: b\ndata: c\n\n');
  });

  it('writes an error event with the text mosec sends', () => {
    expect(formatEvent(errorEventData(422, 'request validation error: text is required'), 'error')).toBe(
      'event: error\ndata: SSE inference error: 422: Unprocessable Content: request validation error: text is required\n\n',
    );
    expect(errorEventData(408, 'inference timeout')).toBe('SSE inference error: 408: Request Timeout: inference timeout');
  });
});
