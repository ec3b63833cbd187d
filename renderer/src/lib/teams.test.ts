import assert from 'node:assert/strict';
import { test } from 'node:test';
import { environmentLimitText, parseEnvironmentIds, teamNames } from './teams';

test('environment ids typed with commas, spaces or new lines; none means every environment', () => {
  assert.deepEqual(parseEnvironmentIds('Environments-1, Environments-2'), ['Environments-1', 'Environments-2']);
  assert.deepEqual(parseEnvironmentIds(' Environments-1\nEnvironments-2 ,, Environments-1 '), ['Environments-1', 'Environments-2']);
  assert.equal(parseEnvironmentIds(''), null);
  assert.equal(parseEnvironmentIds(' ,\n '), null);
});

test('a Deployer limit reads as the ids, or "every environment"', () => {
  assert.equal(environmentLimitText(null), 'every environment');
  assert.equal(environmentLimitText([]), 'every environment');
  assert.equal(environmentLimitText(['Environments-1', 'Environments-3']), 'Environments-1, Environments-3');
});

test("a user's teams by name, in the teams' order, unknown ids kept", () => {
  const teams = [
    { id: 'Teams-1', name: 'Administrators' },
    { id: 'Teams-2', name: 'Viewers' },
    { id: 'Teams-3', name: 'Deployers' },
  ];
  assert.deepEqual(teamNames(['Teams-3', 'Teams-2'], teams), ['Viewers', 'Deployers']);
  assert.deepEqual(teamNames(['Teams-9', 'Teams-1'], teams), ['Administrators', 'Teams-9']);
  assert.deepEqual(teamNames([], teams), []);
});
