import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoute } from './route';

test('hash routes', () => {
  assert.deepEqual(parseRoute('#/login'), { name: 'login' });
  assert.deepEqual(parseRoute('#/nodes'), { name: 'nodes' });
  assert.deepEqual(parseRoute('#/nodes/'), { name: 'nodes' });
  assert.deepEqual(parseRoute('#/nodes/node%202/maintenance'), { name: 'maintenance', node: 'node 2' });
  assert.deepEqual(parseRoute('#/move-to-ha'), { name: 'moveToHa' });
  assert.deepEqual(parseRoute('#/users'), { name: 'users', tab: 'users' });
  assert.deepEqual(parseRoute('#/users/teams'), { name: 'users', tab: 'teams' });
  assert.deepEqual(parseRoute('#/users/nobody'), { name: 'notFound', path: '/users/nobody' });
  assert.deepEqual(parseRoute('#/account'), { name: 'account' });
  assert.deepEqual(parseRoute('#/tasks/ServerTasks-3'), { name: 'task', id: 'ServerTasks-3' });
  assert.deepEqual(parseRoute('#/tasks/%E0%A4%A'), { name: 'notFound', path: '/tasks/%E0%A4%A' });
  assert.deepEqual(parseRoute('#/nope'), { name: 'notFound', path: '/nope' });
});

test('the tasks route keeps its query; an empty hash is the tasks page', () => {
  const r = parseRoute('#/tasks?node=web%201&state=Executing,Cancelling');
  assert.equal(r.name, 'tasks');
  assert.equal(r.name === 'tasks' && r.query.get('node'), 'web 1');
  assert.equal(r.name === 'tasks' && r.query.get('state'), 'Executing,Cancelling');
  assert.equal(parseRoute('').name, 'tasks');
  assert.equal(parseRoute('#/').name, 'tasks');
});

test('deployment pages', () => {
  assert.deepEqual(parseRoute('#/dashboard'), { name: 'dashboard' });
  assert.deepEqual(parseRoute('#/environments'), { name: 'environments' });
  assert.deepEqual(parseRoute('#/targets'), { name: 'targets' });
  assert.deepEqual(parseRoute('#/lifecycles'), { name: 'lifecycles' });
  assert.deepEqual(parseRoute('#/projects'), { name: 'projects' });
  assert.deepEqual(parseRoute('#/projects/Projects-1'), { name: 'project', id: 'Projects-1', tab: 'releases' });
  assert.deepEqual(parseRoute('#/projects/Projects-1/variables'), { name: 'project', id: 'Projects-1', tab: 'variables' });
  assert.deepEqual(parseRoute('#/projects/Projects-1/nope'), { name: 'notFound', path: '/projects/Projects-1/nope' });
  assert.deepEqual(parseRoute('#/releases/Releases-2'), { name: 'release', id: 'Releases-2' });
  assert.deepEqual(parseRoute('#/deployments/Deployments-3'), { name: 'deployment', id: 'Deployments-3' });
  assert.deepEqual(parseRoute('#/runbook-runs/RunbookRuns-4'), { name: 'runbookRun', id: 'RunbookRuns-4' });
  assert.deepEqual(parseRoute('#/constructor/x'), { name: 'notFound', path: '/constructor/x' });
});
