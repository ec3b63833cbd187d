import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogWindow } from './logWindow';

const line = (i: number) => `2026-01-01T00:00:00.000Z INFO  line ${i}`;
/** Lines 1..n as the stream sends them (ids: end offsets). */
function raw(from: number, to: number) {
  const out = [];
  let end = 0;
  for (let i = 1; i <= to; i++) {
    end += line(i).length + 1;
    if (i >= from) out.push({ text: line(i), end });
  }
  return out;
}

test('the window keeps the latest lines, knows where it starts, and skips lines it already has', () => {
  let w = new LogWindow().append(raw(1, 30), 10);
  assert.deepEqual(w.lines.map((l) => l.text), Array.from({ length: 10 }, (_, i) => `line ${21 + i}`));
  assert.equal(w.start, raw(1, 20).at(-1)!.end);
  assert.equal(w.end, raw(1, 30).at(-1)!.end);
  assert.ok(w.hasEarlier);
  w = w.append(raw(25, 31), 10);
  assert.deepEqual(w.lines.map((l) => l.text).slice(-2), ['line 30', 'line 31'], 'a resumed stream’s repeats are dropped');
});

test('earlier text goes before the window, whole lines only, with their offsets', () => {
  const all = raw(1, 30);
  const text = all.map((l) => `${l.text}\n`).join('');
  let w = new LogWindow().append(all, 10);
  const from = w.start - 100; // cuts a line in the middle
  w = w.prepend(text.slice(from, w.start), from);
  const texts = w.lines.map((l) => l.text);
  assert.equal(texts.at(-1), 'line 30');
  assert.ok(texts.length > 10 && texts.length < 14);
  assert.ok(w.start > from, 'the cut line is left for the next load');
  assert.equal(text.slice(0, w.start).split('\n').length - 1 + texts.length, 30, 'nothing lost, nothing twice');
  w = w.prepend(text.slice(0, w.start), 0);
  assert.deepEqual(w.lines.map((l) => l.text), Array.from({ length: 30 }, (_, i) => `line ${i + 1}`));
  assert.equal(w.hasEarlier, false);
});

test('the log’s own final line is not shown', () => {
  const w = new LogWindow().append([{ text: line(1), end: 10 }, { text: '2026-01-01T00:00:01.000Z END   Success', end: 50 }]);
  assert.deepEqual(w.lines.map((l) => l.text), ['line 1']);
});
