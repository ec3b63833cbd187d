/** Variable scoping, #{…} substitution and masking. */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { decryptValue } from '../secrets/masterKey.js';
import { Masker, MASK } from './masker.js';
import { resolveVariables, type Candidate } from './resolve.js';
import { storeVariables, toVariable } from './storedVariables.js';
import { substitute } from './substitute.js';

const scope = (s: Partial<Candidate['scope']> = {}) => ({ environmentIds: [], roles: [], targetIds: [], stepNames: [], ...s });
const v = (name: string, value: string, s: Partial<Candidate['scope']> = {}, source = 1): Candidate => ({ name, value, sensitive: false, scope: scope(s), source });

describe('variables', () => {
  it('the most specific matching scope wins; the project beats a library set at equal specificity', () => {
    const candidates = [
      v('Url', 'library', {}, 0),
      v('Url', 'any'),
      v('Url', 'prod', { environmentIds: ['Environments-3'] }),
      v('Url', 'prod web step', { environmentIds: ['Environments-3'], stepNames: ['Web'] }),
      v('Url', 'role', { roles: ['web-server'] }),
      v('Only', 'library only', {}, 0),
      v('Library', 'scoped lib', { environmentIds: ['Environments-3'] }, 0),
      v('Library', 'unscoped project'),
    ];
    const at = (c: Parameters<typeof resolveVariables>[1]) => Object.fromEntries([...resolveVariables(candidates, c)].map(([k, r]) => [k, r.value]));
    assert.deepEqual(at({ environmentId: 'Environments-1' }), { url: 'any', only: 'library only', library: 'unscoped project' });
    assert.equal(at({ environmentId: 'Environments-3' }).url, 'prod');
    assert.equal(at({ environmentId: 'Environments-3', stepName: 'web' }).url, 'prod web step', 'step names compare without case');
    assert.equal(at({ environmentId: 'Environments-1', roles: ['web-server'] }).url, 'role');
    assert.equal(at({ environmentId: 'Environments-3' }).library, 'scoped lib', 'a scoped library value beats an unscoped project one');
  });

  it('substitutes references in values and in names, leaves unknown ones, and stops on cycles', () => {
    const vars: Record<string, string> = { env: 'Prod', 'conn.prod': 'db=#{Host}', host: 'db1', loop: '#{loop}!', name: 'World' };
    const lookup = (n: string) => vars[n.toLowerCase()];
    assert.equal(substitute('Hello #{Name}', lookup), 'Hello World');
    assert.equal(substitute('#{Conn.#{Env}}', lookup), 'db=db1');
    assert.equal(substitute('#{Missing} stays', lookup), '#{Missing} stays');
    assert.equal(substitute('##{Name} is literal', lookup), '#{Name} is literal');
    assert.match(substitute('#{Loop}', lookup), /^#\{loop\}!+$/);
  });

  it('masks sensitive values, longest first, and each line of a multi-line one', () => {
    const m = new Masker(['p4ss', 'p4ssword', 'line one\nline two']);
    assert.equal(m.mask('the p4ssword and p4ss'), `the ${MASK} and ${MASK}`);
    assert.equal(m.mask('got line two alone'), `got ${MASK} alone`);
    assert.equal(m.mask('nothing here'), 'nothing here');
  });

  it('seals sensitive values, never shows them, and keeps a sealed value sent back without one', () => {
    const key = crypto.randomBytes(32);
    const envs = new Set(['Environments-1']);
    const first = storeVariables([{ name: 'Pw', value: 'hunter2', sensitive: true }, { name: 'Plain', value: 'x', scope: { environmentIds: ['1'] } }], [], key, envs);
    assert.equal(first[0]!.value, null);
    assert.equal(decryptValue(key, first[0]!.sealed!), 'hunter2');
    assert.deepEqual(first[1]!.scope.environmentIds, ['Environments-1']);
    assert.equal(JSON.stringify(first.map(toVariable)).includes('hunter2'), false);
    const kept = storeVariables([{ id: first[0]!.id, name: 'Pw', sensitive: true }], first, key, envs);
    assert.equal(kept[0]!.sealed, first[0]!.sealed);
    assert.equal(toVariable(kept[0]!).hasValue, true);
    assert.throws(() => storeVariables([{ name: 'X', value: '1', scope: { environmentIds: ['Environments-9'] } }], [], key, envs), /variables\[0\]\.scope\.environmentIds\[0\]/);
    assert.throws(() => storeVariables([{ name: 'Bad#{x}', value: '1' }], [], key, envs), /variables\[0\]\.name/);
  });
});
