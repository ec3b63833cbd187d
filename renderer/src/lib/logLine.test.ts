import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLogLine, splitLog } from './logLine';

test('log lines split into time, level and text, keeping the text as written', () => {
  assert.deepEqual(parseLogLine('2026-01-01T00:00:00.000Z INFO  hello  world', 1), {
    n: 1,
    time: '2026-01-01T00:00:00.000Z',
    level: 'INFO',
    text: 'hello  world',
  });
  assert.deepEqual(parseLogLine('2026-01-01T00:00:00.000Z ERROR   indented', 2), { n: 2, time: '2026-01-01T00:00:00.000Z', level: 'ERROR', text: '  indented' });
  assert.deepEqual(parseLogLine('something else', 3), { n: 3, time: null, level: null, text: 'something else' });
});

test('a whole log splits into its lines', () => {
  assert.deepEqual(splitLog(''), []);
  assert.deepEqual(splitLog('a\nb\n'), ['a', 'b']);
  assert.deepEqual(splitLog('a\n\nb'), ['a', '', 'b']);
});
