import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dateInputValue, expiryFromDate, keyState, lastMoment } from './apiKeys';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');

test('a key is active until it expires or is revoked; revoked says more than expired', () => {
  assert.equal(keyState({ revoked: false, expiresAt: null }, NOW), 'active');
  assert.equal(keyState({ revoked: false, expiresAt: '2026-01-01T12:00:01.000Z' }, NOW), 'active');
  assert.equal(keyState({ revoked: false, expiresAt: '2026-01-01T12:00:00.000Z' }, NOW), 'expired');
  assert.equal(keyState({ revoked: true, expiresAt: null }, NOW), 'revoked');
  assert.equal(keyState({ revoked: true, expiresAt: '2025-01-01T00:00:00.000Z' }, NOW), 'revoked');
});

test('an expiry date means the end of that day on this machine', () => {
  const iso = expiryFromDate('2026-03-15')!;
  const end = new Date(iso);
  assert.equal(end.toISOString(), iso);
  assert.deepEqual([end.getFullYear(), end.getMonth(), end.getDate(), end.getHours(), end.getMinutes()], [2026, 2, 16, 0, 0]);
  assert.equal(new Date(Date.parse(iso) - 1).getDate(), 15, 'the last millisecond still belongs to the chosen day');
  assert.equal(new Date(expiryFromDate('2026-12-31')!).getFullYear(), 2027, 'the year rolls over');
});

test('no date, or not a date, is no expiry', () => {
  assert.equal(expiryFromDate(''), undefined);
  assert.equal(expiryFromDate('  '), undefined);
  assert.equal(expiryFromDate('tomorrow'), undefined);
  assert.equal(expiryFromDate('2026-02-30'), undefined);
  assert.equal(expiryFromDate('2026-13-01'), undefined);
});

test('a date input value is the local day, zero-padded, and reads back as the same day', () => {
  assert.equal(dateInputValue(new Date(2026, 0, 5, 23, 59)), '2026-01-05');
  assert.equal(dateInputValue(new Date(2026, 10, 30, 0, 0)), '2026-11-30');
  const today = new Date();
  assert.equal(new Date(Date.parse(expiryFromDate(dateInputValue(today))!) - 1).getDate(), today.getDate());
});

test('the last day shown for a key is the day it was chosen for', () => {
  const iso = expiryFromDate('2026-12-30')!;
  assert.equal(dateInputValue(new Date(lastMoment(iso))), '2026-12-30');
  assert.equal(lastMoment('2026-05-05T12:00:00.000Z'), '2026-05-05T11:59:59.999Z');
});
