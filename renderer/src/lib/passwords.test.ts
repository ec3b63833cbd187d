import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PASSWORD_POLICY, repeatProblem } from './passwords';

test('the policy is stated from the contract', () => {
  assert.match(PASSWORD_POLICY, /12 characters/);
});

test('only a repeat that differs is refused here; the rest is the server’s to judge', () => {
  assert.equal(repeatProblem('correct horse battery', 'correct horse battery'), null);
  assert.match(repeatProblem('correct horse battery', 'correct horse batterY') ?? '', /differ/);
  assert.equal(repeatProblem('short', 'short'), null);
});
