/** The Octopus facade's shapes on a real node: the root document, spaces, keys and errors. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';
import { OCTOPUS_VERSION } from './root.js';

after(removeTempDirs);

describe('Octopus facade', () => {
  let tn: TestNode;
  const octopus = () => ({ 'x-octopus-apikey': tn.adminKey });
  before(async () => {
    tn = await startTestNode({ nodeName: 'octopus-node', taskCap: 0 });
  });
  after(() => tn.stop());

  it('GET /api (and /api/) is one root document with Shoal’s fields and Octopus’s, whoever asks', async () => {
    const octo = await tn.request({ method: 'GET', url: '/api', headers: octopus(), anonymous: true });
    assert.equal(octo.statusCode, 200, octo.body);
    const doc = octo.json();
    assert.equal(doc.Version, OCTOPUS_VERSION);
    assert.match(doc.Version, /^\d+\.\d+\.\d+$/);
    assert.match(doc.InstallationId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(doc.Links.Spaces, '/api/spaces{/id}{?skip,ids,take,partialName}');
    assert.match(doc.Links.Tasks, /^\/api\/tasks\{\/id\}\{\?.*\bids\b/);
    for (const link of ['Projects', 'Releases', 'Channels', 'Environments']) assert.ok(doc.Links[link].startsWith('/api/Spaces-1/'), link);
    assert.equal(doc.ShoalVersion, doc.version);
    assert.equal(octo.headers['x-shoal-version'], doc.version);
    const keys = Object.keys(doc);
    assert.ok(keys.indexOf('Links') > keys.indexOf('links'), 'Octopus’s Links come after Shoal’s links (Go’s decoder keeps the last)');
    const native = await tn.request({ method: 'GET', url: '/api/' });
    assert.deepEqual(Object.keys(native.json()), keys);
    assert.equal(native.json().application, 'Shoal');
    assert.equal(native.json().InstallationId, doc.InstallationId, 'the installation id is kept');
    const stored = await tn.node.shoal.db.selectFrom('settings').select('value').where('key', '=', 'installation.id').executeTakeFirstOrThrow();
    assert.equal(stored.value, doc.InstallationId);
  });

  it('takes the API key in X-Octopus-ApiKey; a bad one is a 401 in Octopus’s error shape', async () => {
    const bad = await tn.request({ method: 'GET', url: '/api/spaces', headers: { 'x-octopus-apikey': 'API-NOTAKEY' }, anonymous: true });
    assert.equal(bad.statusCode, 401);
    assert.deepEqual(Object.keys(bad.json()), ['ErrorMessage', 'Errors']);
    assert.match(bad.json().ErrorMessage, /not valid/);
    const nativeBad = await tn.request({ method: 'GET', url: '/api/tasks', headers: { 'x-api-key': 'API-NOTAKEY' } });
    assert.equal(nativeBad.statusCode, 401);
    assert.equal(nativeBad.json().error.code, 'Unauthorized', 'native clients keep the native error shape');
  });

  it('finds spaces by partial name (take up to int32 max), lists them all, and serves the space root', async () => {
    const found = await tn.request({ method: 'GET', url: '/api/spaces?partialName=Default&skip=0&take=2147483647', headers: octopus(), anonymous: true });
    assert.equal(found.statusCode, 200, found.body);
    const page = found.json();
    assert.equal(page.TotalResults, 1);
    assert.deepEqual(page.Items.map((s: { Id: string; Name: string; IsDefault: boolean }) => [s.Id, s.Name, s.IsDefault]), [['Spaces-1', 'Default', true]]);
    assert.equal(page.Links['Page.Next'], undefined, 'no next page on the last page');
    const none = (await tn.request({ method: 'GET', url: '/api/spaces?partialName=nope', headers: octopus(), anonymous: true })).json();
    assert.equal(none.TotalResults, 0);
    assert.deepEqual(none.Items, []);
    const all = await tn.request({ method: 'GET', url: '/api/spaces/all', headers: octopus(), anonymous: true });
    assert.ok(Array.isArray(all.json()));
    assert.equal(all.json()[0].Name, 'Default');

    const root = await tn.request({ method: 'GET', url: '/api/Spaces-1', headers: octopus(), anonymous: true });
    assert.equal(root.statusCode, 200, root.body);
    assert.match(root.json().Links.Tasks, /^\/api\/Spaces-1\/tasks\{\/id\}\{\?.*\bids\b/);
    assert.ok(root.json().Links.Releases.startsWith('/api/Spaces-1/releases{/id}'));
    const native = await tn.request({ method: 'GET', url: '/api/Spaces-1' });
    assert.deepEqual(native.json(), { id: 'Spaces-1', name: 'Default', isDefault: true, links: native.json().links });
    assert.equal(native.json().links.projects, '/api/Spaces-1/projects');

    const unknown = await tn.request({ method: 'GET', url: '/api/Spaces-9', headers: octopus(), anonymous: true });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().ErrorMessage, /no space Spaces-9/);
    const nativeUnknown = await tn.request({ method: 'GET', url: '/api/nothing-here' });
    assert.equal(nativeUnknown.json().error.code, 'NotFound');
  });

  it('an Octopus-only path errs in Octopus’s shape even to a native key; an Octopus client errs in it on native paths', async () => {
    const anon = await tn.request({ method: 'GET', url: '/api/spaces/all', anonymous: true });
    assert.equal(anon.statusCode, 401);
    assert.equal(typeof anon.json().ErrorMessage, 'string');
    const missing = await tn.request({ method: 'GET', url: '/api/tasks/ServerTasks-999', headers: octopus(), anonymous: true });
    assert.equal(missing.statusCode, 404);
    assert.equal(typeof missing.json().ErrorMessage, 'string');
    assert.deepEqual(missing.json().Errors, []);
  });

  it('takes a package upload in the part fileToUpload with each overwriteMode; native uploads keep their shape and rules', async () => {
    const push = (query: string, part = 'fileToUpload', content = 'zip bytes', headers: Record<string, string> = octopus()) => {
      const form = new FormData();
      form.append(part, new Blob([content]), 'Octo.Web.1.0.0.zip');
      return fetch(`${tn.node.url}/api/Spaces-1/packages/raw${query}`, { method: 'POST', headers, body: form });
    };
    const created = await push('?overwriteMode=FailIfExists');
    assert.equal(created.status, 201);
    const body = (await created.json()) as Record<string, unknown>;
    assert.equal(body.PackageId, 'Octo.Web');
    assert.equal(body.Version, '1.0.0');
    assert.equal(body.PackageSizeBytes, 9);
    const dup = await push('?overwriteMode=FailIfExists', 'file');
    assert.equal(dup.status, 409);
    const dupBody = (await dup.json()) as { ErrorMessage: string };
    assert.match(dupBody.ErrorMessage, /already/);
    const ignored = await push('?overwritemode=ignoreifexists', 'fileToUpload', 'other bytes!');
    assert.equal(ignored.status, 200);
    assert.equal(((await ignored.json()) as { PackageSizeBytes: number }).PackageSizeBytes, 9, 'the stored version is kept');
    const replaced = await push('?overwriteMode=OverwriteExisting', 'fileToUpload', 'replaced bytes, longer');
    assert.equal(replaced.status, 201);
    assert.equal(((await replaced.json()) as { PackageSizeBytes: number }).PackageSizeBytes, 22);
    const wrongMode = await push('?overwriteMode=Sometimes');
    assert.equal(wrongMode.status, 400);
    assert.match(((await wrongMode.json()) as { ErrorMessage: string }).ErrorMessage, /overwriteMode/);

    const native = await push('', 'fileToUpload', 'x', { 'x-api-key': tn.adminKey });
    assert.equal(native.status, 400, 'native clients still name the part "file"');
    assert.match(((await native.json()) as { error: { message: string } }).error.message, /part named "file"/);
    const nativeDup = await push('', 'file', 'x', { 'x-api-key': tn.adminKey });
    assert.equal(nativeDup.status, 409);
    assert.equal(((await nativeDup.json()) as { error: { code: string } }).error.code, 'Conflict');
    const nativeReplace = await push('?replace=true', 'file', 'x', { 'x-api-key': tn.adminKey });
    assert.equal(nativeReplace.status, 201);
    assert.equal(((await nativeReplace.json()) as { packageId: string }).packageId, 'Octo.Web');
  });
});
