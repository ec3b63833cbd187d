import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterFromQuery, filterToHash, runningTasksOf } from './taskFilter';

test('a filter survives the round trip through the URL', () => {
  const f = { states: ['Executing' as const, 'Cancelling' as const], node: 'node a&b', page: 3 };
  const hash = filterToHash(f);
  assert.equal(hash, '#/tasks?node=node%20a%26b&state=Executing,Cancelling&page=3');
  assert.deepEqual(filterFromQuery(new URLSearchParams(hash.slice('#/tasks?'.length))), f);
});

test('unknown states, repeated states and bad pages are dropped', () => {
  assert.deepEqual(filterFromQuery(new URLSearchParams('state=Bogus,Failed,Failed&page=-2')), { states: ['Failed'], node: null, page: 1 });
  assert.deepEqual(filterFromQuery(new URLSearchParams('page=1.5&node=')), { states: [], node: null, page: 1 });
  assert.equal(filterToHash({ states: [], node: null, page: 1 }), '#/tasks');
});

test('the Nodes page links to what a node is running', () => {
  assert.equal(runningTasksOf('portal-node'), '#/tasks?node=portal-node&state=Executing,Cancelling');
});
