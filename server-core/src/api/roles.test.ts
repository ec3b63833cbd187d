/** Route × role: every route answers each role as its declared access says, and the access of every route is the documented one. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '../auth/apiKeys.js';
import { teamIdByName } from '../auth/teams.js';
import { createUser } from '../auth/users.js';
import { routesOf } from '../testing/routes.js';
import { removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';
import type { Access } from './auth.js';

after(removeTempDirs);

/** The documented access of each route (README, "Users and roles"); new routes must be added here. */
const DOCUMENTED: Record<string, Access> = {
  'GET /api': 'authenticated',
  'GET /api/openapi.json': 'authenticated',
  'GET /api/reference': 'authenticated',
  'GET /api/nodes/ping': 'anonymous',
  'GET /api/octopusservernodes/ping': 'anonymous',
  'GET /api/nodes': 'read',
  'GET /api/nodes/:name': 'read',
  'PATCH /api/nodes/:name': 'admin',
  'DELETE /api/nodes/:name': 'admin',
  'GET /api/nodes/:name/tasks': 'read',
  'GET /api/cluster': 'read',
  'POST /api/tasks': 'authenticated',
  'GET /api/tasks': 'read',
  'GET /api/tasks/:id': 'read',
  'POST /api/tasks/:id/cancel': 'authenticated',
  'GET /api/tasks/:id/log': 'read',
  'GET /api/internal/tasks/:id/log': 'node',
  'GET /api/tasks/:id/artifacts': 'read',
  'GET /api/tasks/:id/artifacts/*': 'read',
  'POST /api/users/login': 'anonymous',
  'POST /api/users/logout': 'authenticated',
  'GET /api/users/me': 'authenticated',
  'PUT /api/users/me/password': 'authenticated',
  'GET /api/users/me/apikeys': 'authenticated',
  'POST /api/users/me/apikeys': 'authenticated',
  'DELETE /api/users/me/apikeys/:id': 'authenticated',
  'GET /api/users': 'admin',
  'POST /api/users': 'admin',
  'GET /api/users/:id': 'admin',
  'PATCH /api/users/:id': 'admin',
  'DELETE /api/users/:id': 'admin',
  'PUT /api/users/:id/password': 'admin',
  'GET /api/users/:id/apikeys': 'admin',
  'DELETE /api/users/:id/apikeys/:keyId': 'admin',
  'GET /api/users/:id/sessions': 'admin',
  'DELETE /api/users/:id/sessions': 'admin',
  'DELETE /api/users/:id/sessions/:sessionId': 'admin',
  'GET /api/teams': 'admin',
  'GET /api/teams/:id': 'admin',
  'POST /api/teams': 'admin',
  'PUT /api/teams/:id': 'admin',
  'DELETE /api/teams/:id': 'admin',
  'GET /api/events': 'admin',
  'GET /api/configuration/queue': 'read',
  'PUT /api/configuration/queue': 'admin',
  'GET /api/configuration/storage': 'admin',
  'PUT /api/configuration/storage': 'admin',
  'POST /api/:spaceId/packages/raw': 'package.push',
  'GET /api/:spaceId/packages': 'read',
  'GET /api/:spaceId/packages/:packageId/versions': 'read',
  'GET /api/:spaceId/packages/:packageId/versions/:version': 'read',
  'GET /api/:spaceId/packages/:packageId/versions/:version/raw': 'read',
  'DELETE /api/:spaceId/packages/:packageId/versions/:version': 'admin',
  'GET /api/migration': 'admin',
  'POST /api/migration/plan': 'admin',
  'POST /api/migration/start': 'admin',
  // The deployment model (README, "The deployment model").
  'GET /api/:spaceId/environments': 'read',
  'POST /api/:spaceId/environments': 'admin',
  'PUT /api/:spaceId/environments/sort-order': 'admin',
  'GET /api/:spaceId/environments/:id': 'read',
  'PUT /api/:spaceId/environments/:id': 'admin',
  'DELETE /api/:spaceId/environments/:id': 'admin',
  'GET /api/:spaceId/lifecycles': 'read',
  'POST /api/:spaceId/lifecycles': 'admin',
  'GET /api/:spaceId/lifecycles/:id': 'read',
  'PUT /api/:spaceId/lifecycles/:id': 'admin',
  'DELETE /api/:spaceId/lifecycles/:id': 'admin',
  'GET /api/:spaceId/projects': 'read',
  'POST /api/:spaceId/projects': 'project.edit',
  'GET /api/:spaceId/projects/:id': 'read',
  'PUT /api/:spaceId/projects/:id': 'project.edit',
  'DELETE /api/:spaceId/projects/:id': 'project.edit',
  'GET /api/:spaceId/projects/:id/process': 'read',
  'PUT /api/:spaceId/projects/:id/process': 'project.edit',
  'GET /api/:spaceId/projects/:id/variables': 'read',
  'PUT /api/:spaceId/projects/:id/variables': 'project.edit',
  'GET /api/:spaceId/libraryvariablesets': 'read',
  'POST /api/:spaceId/libraryvariablesets': 'project.edit',
  'GET /api/:spaceId/libraryvariablesets/:id': 'read',
  'PUT /api/:spaceId/libraryvariablesets/:id': 'project.edit',
  'DELETE /api/:spaceId/libraryvariablesets/:id': 'project.edit',
  'POST /api/:spaceId/releases': 'deploy',
  'GET /api/:spaceId/releases': 'read',
  'GET /api/:spaceId/releases/:id': 'read',
  'POST /api/:spaceId/releases/:id/promote': 'deploy',
  'POST /api/:spaceId/deployments': 'deploy',
  'GET /api/:spaceId/deployments': 'read',
  'GET /api/:spaceId/deployments/:id': 'read',
  'POST /api/:spaceId/deployments/:id/redeploy': 'deploy',
  'GET /api/:spaceId/dashboard': 'read',
  'GET /api/:spaceId/interruptions': 'read',
  'GET /api/:spaceId/interruptions/:id': 'read',
  'POST /api/:spaceId/interruptions/:id/submit': 'deploy',
  'GET /api/:spaceId/projects/:id/runbooks': 'read',
  'POST /api/:spaceId/projects/:id/runbooks': 'project.edit',
  'GET /api/:spaceId/projects/:id/runbooks/:runbookId': 'read',
  'PUT /api/:spaceId/projects/:id/runbooks/:runbookId': 'project.edit',
  'DELETE /api/:spaceId/projects/:id/runbooks/:runbookId': 'project.edit',
  'GET /api/:spaceId/projects/:id/runbooks/:runbookId/process': 'read',
  'PUT /api/:spaceId/projects/:id/runbooks/:runbookId/process': 'project.edit',
  'POST /api/:spaceId/projects/:id/runbooks/:runbookId/publish': 'project.edit',
  'GET /api/:spaceId/projects/:id/runbooks/:runbookId/snapshots': 'read',
  'POST /api/:spaceId/runbook-runs': 'deploy',
  'GET /api/:spaceId/runbook-runs': 'read',
  'GET /api/:spaceId/runbook-runs/:id': 'read',
  'GET /api/:spaceId/projects/:id/triggers': 'read',
  'POST /api/:spaceId/projects/:id/triggers': 'project.edit',
  'GET /api/:spaceId/projects/:id/triggers/:triggerId': 'read',
  'PUT /api/:spaceId/projects/:id/triggers/:triggerId': 'project.edit',
  'DELETE /api/:spaceId/projects/:id/triggers/:triggerId': 'project.edit',
  'GET /api/tasks/:id/details': 'read',
};

const ROLE_TEAMS = { Viewer: 'Viewers', Deployer: 'Deployers', ProjectEditor: 'Project editors', Admin: 'Administrators' } as const;
type Role = keyof typeof ROLE_TEAMS;
/** No role grants `node` (calls between the nodes of a cluster): every user gets 403, anonymous callers 401. */
const GRANTS: Record<Role, Access[]> = {
  Viewer: ['authenticated', 'read'],
  Deployer: ['authenticated', 'read', 'package.push', 'deploy'],
  ProjectEditor: ['authenticated', 'read', 'package.push', 'project.edit'],
  Admin: ['authenticated', 'read', 'package.push', 'deploy', 'project.edit', 'admin'],
};

describe('route × role', () => {
  let tn: TestNode;
  const keys: Partial<Record<Role, string>> = {};
  before(async () => {
    tn = await startTestNode({ nodeName: 'roles-node', taskCap: 0 });
    for (const [role, team] of Object.entries(ROLE_TEAMS) as [Role, string][]) {
      const user = await createUser(tn.node.shoal, `matrix-${role.toLowerCase()}`, `matrix-${role}-password!`, [(await teamIdByName(tn.node.shoal, team))!]);
      keys[role] = (await createApiKey(tn.node.shoal, Number(user.id), 'matrix')).key;
    }
  });
  after(() => tn.stop());

  const routes = () => routesOf(tn.node.app).filter((r) => /^\/api(\/|$)/.test(r.path) && r.method !== 'HEAD');

  it('every route declares the documented access, and every documented route exists', () => {
    const seen = new Set<string>();
    for (const r of routes()) {
      const name = `${r.method} ${r.path}`;
      seen.add(name);
      if (!(name in DOCUMENTED)) continue; // routes of later domains are covered by the matrix below
      assert.equal(r.access, DOCUMENTED[name], `${name} declares ${r.access}, documented ${DOCUMENTED[name]}`);
    }
    for (const name of Object.keys(DOCUMENTED)) assert.ok(seen.has(name), `${name} is documented but not served`);
  });

  it('anonymous callers get 401, roles without the permission 403, roles with it neither', async () => {
    // Parameters that name nothing, so no request of the matrix can destroy what others use.
    const fill = { name: 'no-such-node', spaceId: 'Spaces-1', id: '987654', packageId: 'Nope', version: '9.9.9', keyId: '987654', sessionId: 'Sessions-AAAAAAAAAAAAAAAA', '*': 'nothing.txt' };
    let checked = 0;
    for (const r of routes()) {
      const name = `${r.method} ${r.path}`;
      if (r.access === 'anonymous') continue;
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined;
      const send = (headers: Record<string, string>) => tn.node.app.inject({ method: r.method as 'GET', url: r.url(fill), headers, ...(body ? { payload: body } : {}) });
      assert.equal((await send({})).statusCode, 401, `${name} anonymous`);
      for (const role of Object.keys(ROLE_TEAMS) as Role[]) {
        const res = await send({ 'x-api-key': keys[role]! });
        const allowed = GRANTS[role].includes(r.access);
        if (allowed) assert.ok(![401, 403].includes(res.statusCode), `${name} as ${role}: ${res.statusCode} ${res.body}`);
        else assert.equal(res.statusCode, 403, `${name} as ${role}: ${res.statusCode} ${res.body}`);
        checked++;
      }
    }
    assert.ok(checked >= 150, `${checked} route × role checks`);
  });

  it('rules that depend on the resource: cancelling another user\'s task, replacing a package', async () => {
    const task = await tn.request({ method: 'POST', url: '/api/tasks', payload: { kind: 'SystemIntegrityCheck' } });
    const byViewer = await tn.request({ method: 'POST', url: `/api/tasks/${task.json().id}/cancel`, headers: { 'x-api-key': keys.Viewer! } });
    assert.equal(byViewer.statusCode, 403, byViewer.body);
    const form = () => {
      const f = new FormData();
      f.append('file', new Blob(['zip']), 'Owned.1.0.0.zip');
      return f;
    };
    const base = tn.node.url;
    assert.equal((await fetch(`${base}/api/Spaces-1/packages/raw`, { method: 'POST', headers: { 'x-api-key': tn.adminKey }, body: form() })).status, 201);
    const replace = await fetch(`${base}/api/Spaces-1/packages/raw?replace=true`, { method: 'POST', headers: { 'x-api-key': keys.Deployer! }, body: form() });
    assert.equal(replace.status, 403, 'a Deployer may push but not replace what exists');
    const push = await fetch(`${base}/api/Spaces-1/packages/raw`, { method: 'POST', headers: { 'x-api-key': keys.Deployer! }, body: (() => { const f = new FormData(); f.append('file', new Blob(['zip']), 'Mine.1.0.0.zip'); return f; })() });
    assert.equal(push.status, 201, 'a Deployer may push a new version');
  });
});
