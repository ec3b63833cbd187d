import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDay, formatDuration, relativeTime, taskDuration, timeUntil } from './format';

const T = Date.parse('2026-01-01T12:00:00.000Z');

test('relative times read like an operator says them', () => {
  assert.equal(relativeTime('2026-01-01T12:00:00.000Z', T + 400), 'just now');
  assert.equal(relativeTime('2026-01-01T12:00:00.000Z', T + 3_200), '3 s ago');
  assert.equal(relativeTime('2026-01-01T12:00:00.000Z', T + 5 * 60_000 + 10), '5 min ago');
  assert.equal(relativeTime('2026-01-01T12:00:00.000Z', T + 2 * 3_600_000), '2 h ago');
  assert.equal(relativeTime('2026-01-01T12:00:00.000Z', T + 3 * 86_400_000), '3 d ago');
  assert.equal(relativeTime('2026-01-01T12:00:00.000Z', T - 5_000), 'just now', 'a time slightly ahead is not "in the future"');
  assert.equal(relativeTime('not a time', T), 'not a time');
  assert.equal(relativeTime('2026-01-01T12:00:00.000Z', T + 8 * 86_400_000), formatDay('2026-01-01T12:00:00.000Z'), 'past a week: the day');
});

test('times to come', () => {
  assert.equal(timeUntil('2026-01-01T12:00:40.000Z', T), 'in 40 s');
  assert.equal(timeUntil('2026-01-01T12:05:00.000Z', T), 'in 5 min');
  assert.equal(timeUntil('2026-01-14T12:00:00.000Z', T), 'in 13 d');
  assert.equal(timeUntil('2026-01-01T11:59:00.000Z', T), 'passed');
  assert.equal(timeUntil('2026-01-01T12:00:00.500Z', T), 'passed', 'under a second ahead is as good as now');
  assert.equal(timeUntil('soon', T), 'soon');
});

test('a day reads as a date, with the year', () => {
  assert.match(formatDay('2026-03-15T12:00:00.000Z'), /2026/);
  assert.equal(formatDay('not a time'), 'not a time');
});

test('durations', () => {
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(12_340), '12.3 s');
  assert.equal(formatDuration(245_000), '4 min 05 s');
  assert.equal(formatDuration(3_720_000), '1 h 02 min');
  assert.equal(formatDuration(-5), '0 ms');
  assert.equal(taskDuration(null, null, T), null);
  assert.equal(taskDuration('2026-01-01T12:00:00.000Z', '2026-01-01T12:00:01.500Z', T + 99_000), 1500);
  assert.equal(taskDuration('2026-01-01T12:00:00.000Z', null, T + 2_000), 2000, 'a running task counts up to now');
});
