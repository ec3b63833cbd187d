import assert from 'node:assert/strict';
import { test } from 'node:test';
import { phaseText } from './lifecycles';

const names: Record<string, string> = { 'Environments-1': 'Dev', 'Environments-2': 'Test', 'Environments-3': 'Prod' };
const nameOf = (id: string) => names[id] ?? id;
const phase = (o: Partial<Parameters<typeof phaseText>[0]>) => ({ name: 'Dev', environmentIds: [], automaticDeploymentEnvironmentIds: [], minimumEnvironmentsBeforePromotion: 0, isOptional: false, ...o });

test('a phase in words', () => {
  assert.equal(phaseText(phase({ environmentIds: ['Environments-1'] }), nameOf), 'Dev');
  assert.equal(phaseText(phase({ name: 'QA', environmentIds: ['Environments-2'], automaticDeploymentEnvironmentIds: ['Environments-1'], minimumEnvironmentsBeforePromotion: 1 }), nameOf), 'QA: Test, Dev (automatic), 1 needed');
  assert.equal(phaseText(phase({ name: 'Later', isOptional: true }), nameOf), 'Later: no environments (optional)');
});
