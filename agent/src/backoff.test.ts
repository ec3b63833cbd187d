import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from './backoff.js';

test('backoff doubles from 1 s to a 60 s ceiling, jittered between half and all of each step, and starts over after a success', () => {
  const low = new Backoff(1000, 60_000, () => 0);
  assert.deepEqual(Array.from({ length: 9 }, () => low.next()), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  const high = new Backoff(1000, 60_000, () => 0.999999);
  assert.deepEqual(Array.from({ length: 8 }, () => high.next()), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  high.reset();
  assert.equal(high.next(), 1000);
});
