// One streamed chat completion on OpenAI's contract (`stream: true`: `chat.completion.chunk` events,
// then `data: [DONE]`), timed as a client sees it: time to the first chunk with text, time to the end.

/** The events of one text/event-stream block: { event, data } or undefined for a comment. */
function parseBlock(block) {
  const data = [];
  let event = 'message';
  for (const line of block.split('\n')) {
    if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  return data.length ? { event, data: data.join('\n') } : undefined;
}

/**
 * POSTs `body` with `stream: true` to `url` and reads the answer to its end. Resolves
 * { ttftMs, totalMs, text, usage, finishReason, chunks } (ms from the request to the first text and to
 * [DONE]), `onFirstToken` called
 * when the first text arrives; rejects on a status other than 200, an error event, or a stream that
 * ends without `data: [DONE]`.
 */
async function streamChat(url, body, { onFirstToken, signal } = {}) {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ ...body, stream: true }),
    signal,
  });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const decoder = new TextDecoder();
  const parts = [];
  let buffer = '';
  let ttftMs;
  let usage;
  let finishReason;
  let chunks = 0;
  let done = false;
  const handle = ({ event, data }) => {
    if (event === 'error') throw new Error(`${url} sent an error event: ${data.slice(0, 300)}`);
    if (data === '[DONE]') return void (done = performance.now() - started);
    const chunk = JSON.parse(data);
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (choice?.finish_reason) finishReason = choice.finish_reason;
    const content = choice?.delta?.content;
    if (!content) return;
    chunks++;
    parts.push(content);
    if (ttftMs === undefined) {
      ttftMs = performance.now() - started;
      onFirstToken?.();
    }
  };
  // The answer is complete at [DONE]: a server may keep the connection open after it (mosec until its
  // batch ends), so reading stops there.
  for await (const bytes of response.body) {
    buffer = (buffer + decoder.decode(bytes, { stream: true })).replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const event = parseBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event) handle(event);
    }
    if (done !== false) break;
  }
  if (done === false) throw new Error(`${url}: the stream ended without data: [DONE]`);
  return { ttftMs, totalMs: done, text: parts.join(''), usage, finishReason, chunks };
}

module.exports = { streamChat };
