import assert from 'node:assert/strict';
import { test } from 'node:test';
import { draftOf, newStep, stepBody } from './processDraft';

test('a step goes through the editor unchanged, unknown properties and targets kept', () => {
  const step = {
    name: 'Install',
    action: 'DeployPackage' as const,
    runOn: 'targets' as const,
    roles: ['web'],
    environmentIds: ['Environments-2'],
    condition: 'always' as const,
    properties: { packageId: 'Hello', substituteInFiles: ['*.config', '**/*.json'], future: true },
  };
  assert.deepEqual(stepBody(draftOf(step)), step);
});

test('a new step has a free name, runs on the server, and lists are typed one a line or comma-separated', () => {
  const d = newStep('ManualIntervention', ['Approve', 'approve 2']);
  assert.equal(d.name, 'Approve 3');
  d.instructions = 'Check the smoke tests';
  d.responsibleTeamIds = 'Teams-3,\n Teams-4';
  assert.deepEqual(stepBody(d), {
    name: 'Approve 3',
    action: 'ManualIntervention',
    environmentIds: [],
    condition: 'success',
    properties: { instructions: 'Check the smoke tests', responsibleTeamIds: ['Teams-3', 'Teams-4'] },
  });
  assert.deepEqual(stepBody(newStep('RunScript', [])).properties, { script: '', syntax: 'bash' });
});
