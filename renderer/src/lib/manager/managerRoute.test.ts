import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManagerRoute } from './managerRoute';

test('manager routes', () => {
  assert.deepEqual(parseManagerRoute(''), { name: 'fleet', focus: null });
  assert.deepEqual(parseManagerRoute('#/fleet?focus=conn-1'), { name: 'fleet', focus: 'conn-1' });
  assert.deepEqual(parseManagerRoute('#/connections'), { name: 'connections', editing: null });
  assert.deepEqual(parseManagerRoute('#/connections/new'), { name: 'connections', editing: 'new' });
  assert.deepEqual(parseManagerRoute('#/connections/conn%2D2/'), { name: 'connections', editing: 'conn-2' });
  assert.deepEqual(parseManagerRoute('#/notifications'), { name: 'notifications' });
  assert.deepEqual(parseManagerRoute('#/tasks'), { name: 'fleet', focus: null }, 'a portal route without a cluster shows the fleet');
});
