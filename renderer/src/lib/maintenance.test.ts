import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maintenanceStep, type MaintenanceFacts } from './maintenance';

const facts = (o: Partial<Omit<MaintenanceFacts, 'node'>> & { node?: Partial<MaintenanceFacts['node']> } = {}): MaintenanceFacts => ({
  ping: null,
  balancerConfirmed: false,
  workDone: false,
  ended: false,
  ...o,
  node: { drain: false, status: 'Running', runningTasks: 0, ...o.node },
});

test('each step is done when the cluster says so', () => {
  assert.equal(maintenanceStep(facts()), 'drain');
  assert.equal(maintenanceStep(facts({ node: { drain: true, status: 'Draining', runningTasks: 2 } })), 'idle');
  assert.equal(maintenanceStep(facts({ node: { drain: true, status: 'Drained' }, ping: { reachable: true, status: 200 } })), 'balancer', 'a ping still answering 200 is not out');
  assert.equal(maintenanceStep(facts({ node: { drain: true, status: 'Drained' }, ping: { reachable: true, status: 418 } })), 'work');
  assert.equal(maintenanceStep(facts({ node: { drain: true, status: 'Drained' }, ping: { reachable: true, status: 418 }, workDone: true })), 'undrain');
  assert.equal(maintenanceStep(facts({ node: { drain: true, status: 'Drained' }, ping: { reachable: true, status: 418 }, workDone: true, ended: true })), 'undrain', 'until the undrain lands');
  assert.equal(maintenanceStep(facts({ node: { status: 'Running' }, ping: { reachable: true, status: 418 }, ended: true })), 'back', 'the ping has not caught up');
  assert.equal(maintenanceStep(facts({ node: { status: 'Running' }, ping: { reachable: true, status: 200 }, ended: true })), 'done');
});

test('a ping this machine cannot ask: the balancer step waits for the operator, and the cluster\'s word brings it back', () => {
  const unreachable = { reachable: false, status: null };
  const drained = { drain: true, status: 'Drained' as const };
  assert.equal(maintenanceStep(facts({ node: drained, ping: unreachable })), 'balancer');
  assert.equal(maintenanceStep(facts({ node: drained, ping: unreachable, balancerConfirmed: true })), 'work');
  assert.equal(maintenanceStep(facts({ node: drained, ping: null, balancerConfirmed: true })), 'work', 'no manager to ask: the operator\'s word');
  assert.equal(maintenanceStep(facts({ node: { status: 'Offline' }, ping: unreachable, ended: true })), 'back');
  assert.equal(maintenanceStep(facts({ node: { status: 'Running' }, ping: unreachable, ended: true })), 'done');
  assert.equal(maintenanceStep(facts({ node: drained, ping: { reachable: true, status: 200 }, balancerConfirmed: true })), 'balancer', 'a reachable ping is the truth');
});
