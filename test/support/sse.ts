/** One server-sent event as a client sees it. */
export interface ServerEvent {
  event: string;
  data: string;
}

/** POSTs a JSON body and reads the whole text/event-stream answer (until the server closes it). */
export async function postForEvents(url: string, body: unknown): Promise<{ status: number; type: string | null; events: ServerEvent[] }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), events: parseEvents(text) };
}

/** The events of an event-stream text (comment lines, e.g. keep-alives, are skipped). */
export function parseEvents(text: string): ServerEvent[] {
  const events: ServerEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data: string[] = [];
    let event = 'message';
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      else if (line.startsWith('event:')) event = line.slice(6).trim();
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return events;
}
