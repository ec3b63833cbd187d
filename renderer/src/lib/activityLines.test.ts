import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activityNumber, splitByActivity } from './activityLines';
import { parseLogLine } from './logLine';

test("a deployment's lines go to their activity, untagged ones to the task", () => {
  const raw = [
    '2026-01-01T00:00:00.000Z INFO  Deploying Hello 0.0.1 to Dev',
    '2026-01-01T00:00:01.000Z INFO  [A3] Hello from Dev',
    '2026-01-01T00:00:02.000Z ERROR [A3] oops',
    '2026-01-01T00:00:03.000Z INFO  [A12] [A3] not a second tag',
    'a raw line',
  ];
  const { byActivity, own } = splitByActivity(raw.map((l, i) => parseLogLine(l, i + 1)));
  assert.deepEqual(own.map((l) => l.text), ['Deploying Hello 0.0.1 to Dev', 'a raw line']);
  assert.deepEqual(byActivity.get(3)?.map((l) => [l.n, l.level, l.text]), [[2, 'INFO', 'Hello from Dev'], [3, 'ERROR', 'oops']]);
  assert.deepEqual(byActivity.get(12)?.map((l) => l.text), ['[A3] not a second tag']);
  assert.equal(activityNumber('Activities-12'), 12);
});
