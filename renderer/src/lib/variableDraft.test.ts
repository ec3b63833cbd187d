import assert from 'node:assert/strict';
import { test } from 'node:test';
import { variableBody, variableDraft } from './variableDraft';

const scope = { environmentIds: ['Environments-3'], roles: ['web'], targetIds: [], stepNames: ['Greet'] };

test('a stored sensitive value is kept while its field stays empty, replaced when typed', () => {
  const d = variableDraft({ id: 'Variables-2', name: 'DbPassword', value: null, sensitive: true, hasValue: true, scope });
  assert.equal(d.value, '');
  assert.deepEqual(variableBody(d), { id: 'Variables-2', name: 'DbPassword', sensitive: true, scope });
  d.value = 'new-secret';
  assert.deepEqual(variableBody(d), { id: 'Variables-2', name: 'DbPassword', value: 'new-secret', sensitive: true, scope });
});

test('a plain variable sends its value and scope; a new one has no id', () => {
  const d = variableDraft();
  d.name = ' Greeting ';
  d.value = 'Hello';
  d.stepNames = 'Greet, Install';
  assert.deepEqual(variableBody(d), {
    name: 'Greeting',
    value: 'Hello',
    sensitive: false,
    scope: { environmentIds: [], stepNames: ['Greet', 'Install'], roles: [], targetIds: [] },
  });
});
