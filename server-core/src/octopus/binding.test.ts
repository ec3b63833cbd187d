/** How the facade reads Octopus clients' requests: query strings, command bodies, package specs, pages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Step } from '../contract/projects.js';
import { collection } from './collection.js';
import { OctopusCommand } from './command.js';
import { MAX_TAKE, OctopusQuery } from './query.js';
import { selectedPackages } from './releases.js';

describe('Octopus query strings', () => {
  it('reads ids comma-joined (literal or %2C) or repeated, names in any case, + as a space, and clamps take', () => {
    assert.deepEqual(new OctopusQuery('/api/tasks?ids=ServerTasks-1,ServerTasks-2').list('ids'), ['ServerTasks-1', 'ServerTasks-2']);
    assert.deepEqual(new OctopusQuery('/api/tasks?IDS=ServerTasks-1%2CServerTasks-2').list('ids'), ['ServerTasks-1', 'ServerTasks-2']);
    assert.deepEqual(new OctopusQuery('/api/tasks?ids=A&ids=B').list('ids'), ['A', 'B']);
    assert.equal(new OctopusQuery('/api/tasks').list('ids'), undefined);
    assert.equal(new OctopusQuery('/x?partialName=Fire+Project').get('partialname'), 'Fire Project');
    assert.equal(new OctopusQuery('/x?partialName=Fire%20Project').get('partialName'), 'Fire Project');
    assert.equal(new OctopusQuery('/x?take=2147483647').take, MAX_TAKE);
    assert.equal(new OctopusQuery('/x').take, 30);
    assert.throws(() => new OctopusQuery('/x?skip=-1').skip, /skip must be a whole number/);
  });

  it('pages with Page.Next only while another page exists', () => {
    const all = ['a', 'b', 'c'];
    const first = collection('Thing', { items: all.slice(0, 2), total: 3 }, new OctopusQuery('/api/things?take=2&partialName=x'), '/api/things');
    assert.equal(first.Links['Page.Next'], '/api/things?partialName=x&skip=2&take=2');
    assert.equal(first.NumberOfPages, 2);
    const last = collection('Thing', { items: all.slice(2), total: 3 }, new OctopusQuery('/api/things?take=2&skip=2'), '/api/things');
    assert.equal(last.Links['Page.Next'], undefined);
    assert.equal(last.TotalResults, 3);
  });
});

describe('Octopus command bodies', () => {
  it('binds fields whatever their case and ignores unknown ones; wrong types name the field', () => {
    const ts = new OctopusCommand({ spaceId: 'Spaces-1', spaceIdOrName: 'Default', ProjectName: 'Web', IgnoreIfAlreadyExists: true, Packages: ['a:1'] });
    const go = new OctopusCommand({ spaceIdOrName: 'Spaces-1', projectName: 'Web', ignoreIfAlreadyExists: true, packages: ['a:1'], useGuidedFailure: null });
    for (const c of [ts, go]) {
      assert.equal(c.requiredString('ProjectName'), 'Web');
      assert.equal(c.boolean('IgnoreIfAlreadyExists'), true);
      assert.deepEqual(c.strings('Packages'), ['a:1']);
      c.unsupported('UseGuidedFailure', 'no');
    }
    assert.throws(() => new OctopusCommand({ projectName: 5 }).requiredString('ProjectName'), /ProjectName must be a string/);
    assert.throws(() => new OctopusCommand({}).requiredString('ProjectName'), /ProjectName is required/);
    assert.throws(() => new OctopusCommand({ useGuidedFailure: true }).unsupported('UseGuidedFailure', 'no guided failure'), /UseGuidedFailure is not supported: no guided failure/);
    new OctopusCommand({ Variables: {}, Tenants: [] }).unsupported('Variables', 'x');
    assert.throws(() => new OctopusCommand([1]), /JSON object/);
  });
});

describe('Octopus package specs', () => {
  const step = (name: string, packageId?: string): Step => ({
    name,
    action: packageId ? 'DeployPackage' : 'RunScript',
    runOn: 'server',
    roles: [],
    environmentIds: [],
    condition: 'success',
    properties: packageId ? { packageId } : { script: 'x' },
  }) as Step;
  const steps = [step('Web', 'Acme.Web'), step('Api', 'Acme.Api'), step('Say hi'), step('Maven', 'org.acme:app')];

  it('takes StepName:Version, PackageId:Version, Step:Ref:Version, *:Version and \\: escapes, over PackageVersion', () => {
    assert.deepEqual(selectedPackages(steps, '1.0.0', [], 'P'), { Web: '1.0.0', Api: '1.0.0', Maven: '1.0.0' });
    assert.deepEqual(selectedPackages(steps, '1.0.0', ['web:2.0.0', 'Acme.Api:3.0.0', 'org.acme\\:app:4.0.0'], 'P'), { Web: '2.0.0', Api: '3.0.0', Maven: '4.0.0' });
    assert.deepEqual(selectedPackages(steps, undefined, ['Web:Acme.Web:5.0.0'], 'P'), { Web: '5.0.0' });
    assert.deepEqual(selectedPackages(steps, undefined, ['*:6.0.0'], 'P'), { Web: '6.0.0', Api: '6.0.0', Maven: '6.0.0' });
    assert.throws(() => selectedPackages(steps, undefined, ['Nope:1.0.0'], 'P'), /"Nope" is neither a package step nor a package of P/);
    assert.throws(() => selectedPackages(steps, undefined, ['1.0.0'], 'P'), /not StepName:Version/);
  });
});
