import assert from 'node:assert/strict';
import { test } from 'node:test';
import { draftProblem, emptyPhase, lifecycleBody, lifecycleDraft, modeOf, movePhase, setMode } from './lifecycleDraft';

const twoPhases = () => {
  const d = lifecycleDraft();
  d.name = ' Gated ';
  d.phases[0]!.name = 'Try';
  d.phases.push({ ...emptyPhase(), name: 'Ship' });
  return d;
};

test('an environment belongs to one phase: choosing it in another moves it there', () => {
  const d = twoPhases();
  setMode(d, 0, 'Environments-1', 'manual');
  setMode(d, 1, 'Environments-1', 'automatic');
  assert.equal(modeOf(d.phases[0]!, 'Environments-1'), 'none');
  assert.equal(modeOf(d.phases[1]!, 'Environments-1'), 'automatic');
  setMode(d, 0, 'Environments-1', 'none');
  assert.equal(modeOf(d.phases[1]!, 'Environments-1'), 'automatic', 'clearing it in one phase leaves the others alone');
});

test('the body keeps the phases in order; without phases of its own, null', () => {
  const d = twoPhases();
  setMode(d, 0, 'Environments-2', 'manual');
  setMode(d, 1, 'Environments-3', 'manual');
  d.phases[1]!.isOptional = true;
  movePhase(d, 1, -1);
  const body = lifecycleBody(d);
  assert.equal(body.name, 'Gated');
  assert.deepEqual(body.phases!.map((p) => [p.name, p.environmentIds, p.isOptional]), [['Ship', ['Environments-3'], true], ['Try', ['Environments-2'], false]]);
  d.ownPhases = false;
  assert.equal(lifecycleBody(d).phases, null);
});

test('what is missing, in words', () => {
  const d = lifecycleDraft();
  assert.equal(draftProblem(d), 'Give the lifecycle a name.');
  d.name = 'X';
  assert.equal(draftProblem(d), 'Give phase 1 a name.');
  d.ownPhases = false;
  assert.equal(draftProblem(d), null);
});

test('a lifecycle that follows the environments opens with their phases to start from', () => {
  const d = lifecycleDraft({ id: 'Lifecycles-1', spaceId: 'Spaces-1', name: 'Default', description: '', isDefault: true, usesEnvironmentOrder: true, phases: [{ name: 'Dev', environmentIds: ['Environments-1'], automaticDeploymentEnvironmentIds: [], minimumEnvironmentsBeforePromotion: 0, isOptional: false }] });
  assert.equal(d.ownPhases, false);
  assert.deepEqual(d.phases.map((p) => p.name), ['Dev']);
});
