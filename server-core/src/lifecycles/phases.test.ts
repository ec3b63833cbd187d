/** Promotion rules: earlier non-optional phases complete first; automatic environments follow. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Phase } from '../contract/environments.js';
import { automaticEnvironments, promotionRefusal } from './phases.js';

const phase = (name: string, environmentIds: string[], o: Partial<Phase> = {}): Phase => ({
  name,
  environmentIds,
  automaticDeploymentEnvironmentIds: [],
  minimumEnvironmentsBeforePromotion: 0,
  isOptional: false,
  ...o,
});
const names = (id: string) => id;

describe('lifecycle phases', () => {
  const phases = [phase('Dev', ['dev']), phase('Test', ['t1', 't2'], { minimumEnvironmentsBeforePromotion: 1 }), phase('Staging', ['stage'], { isOptional: true }), phase('Prod', ['prod'], { automaticDeploymentEnvironmentIds: ['prod-check'] })];

  it('refuses an environment until every earlier non-optional phase is complete, naming the phase', () => {
    assert.equal(promotionRefusal(phases, 'dev', new Set(), names), null);
    assert.match(promotionRefusal(phases, 't1', new Set(), names)!, /phase Dev/);
    assert.match(promotionRefusal(phases, 'prod', new Set(['dev']), names)!, /phase Test .*1 of t1, t2/);
    assert.equal(promotionRefusal(phases, 'prod', new Set(['dev', 't2']), names), null, 'minimum 1 of Test, Staging optional');
    assert.match(promotionRefusal(phases, 'elsewhere', new Set(), names)!, /not in any phase/);
  });

  it('names the automatic environments that are due and not deployed yet', () => {
    assert.deepEqual(automaticEnvironments(phases, new Set(['dev']), new Set(['dev'])), []);
    assert.deepEqual(automaticEnvironments(phases, new Set(['dev', 't1']), new Set(['dev', 't1'])), ['prod-check']);
    assert.deepEqual(automaticEnvironments(phases, new Set(['dev', 't1']), new Set(['dev', 't1', 'prod-check'])), []);
    assert.deepEqual(automaticEnvironments([phase('First', [], { automaticDeploymentEnvironmentIds: ['a'] })], new Set(), new Set()), ['a'], 'a first automatic phase goes at release creation');
  });
});
