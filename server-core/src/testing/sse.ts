/**
 * Parses one event of a text/event-stream (the lines between two blank lines) as the SSE
 * spec and a browser's EventSource do: CR, LF and CRLF all end a line; comments are
 * skipped. Undefined for a block without data (a keep-alive).
 */
export function parseSseBlock(block: string): { event: string; data: string; id?: string } | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  return data.length ? { event, data: data.join('\n'), id } : undefined;
}

/** Every event of a whole stream. */
export const parseSse = (text: string) =>
  text
    .split(/(?:\r\n|\r|\n)(?:\r\n|\r|\n)/)
    .map(parseSseBlock)
    .filter((e): e is NonNullable<typeof e> => e !== undefined);
