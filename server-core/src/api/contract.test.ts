/** The one contract: every route has request and response schemas, and the OpenAPI document lists them all. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import * as contract from '../contract/index.js';
import type { Endpoint } from '../contract/endpoint.js';
import { routesOf } from '../testing/routes.js';
import { removeTempDirs } from '../testing/tempDir.js';
import { startTestNode, type TestNode } from '../testing/testNode.js';

after(removeTempDirs);

describe('API contract', () => {
  let tn: TestNode;
  before(async () => {
    tn = await startTestNode({ nodeName: 'contract-node', taskCap: 0 });
  });
  after(() => tn.stop());

  const apiRoutes = () => routesOf(tn.node.app).filter((r) => /^\/api(\/|$)/.test(r.path) && r.method !== 'HEAD');

  it('every API route has a response schema with its success answer, and a params schema when its path has parameters', () => {
    const routes = apiRoutes();
    assert.ok(routes.length >= 40, `${routes.length} routes`);
    for (const r of routes) {
      const schema = (r.schema ?? {}) as { response?: Record<string, unknown>; params?: unknown; body?: unknown };
      const name = `${r.method} ${r.path}`;
      assert.ok(schema.response, `${name} has no response schema: ${JSON.stringify(r.schema)}`);
      assert.ok(Object.keys(schema.response).some((s) => /^2\d\d$/.test(s)), `${name} declares no success answer`);
      if (/[:*]/.test(r.path)) assert.ok(schema.params, `${name} has path parameters but no params schema`);
      if (/^(PUT|PATCH)$/.test(r.method)) assert.ok(schema.body, `${name} takes a body but has no body schema`);
    }
  });

  it('every API route is an endpoint of the contract (same method and path), so clients call what the node serves', () => {
    const declared = new Set(
      Object.entries(contract as Record<string, unknown>)
        .filter(([name]) => name.endsWith('Endpoints'))
        .flatMap(([, group]) => Object.values(group as Record<string, Endpoint>).map((e) => `${e.method} ${e.url}`)),
    );
    assert.ok(declared.size >= 40, `${declared.size} endpoints in the contract`);
    for (const r of apiRoutes()) assert.ok(declared.has(`${r.method} ${r.path}`), `${r.method} ${r.path} is not in the contract`);
  });

  it('GET /api/openapi.json is a valid OpenAPI document that lists every documented route with its access', async () => {
    const res = await tn.request({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200, res.body);
    const doc = res.json();
    await SwaggerParser.validate(structuredClone(doc));
    const hidden = new Set(['/api/openapi.json', '/api/reference', '/api/internal/tasks/:id/log']);
    for (const r of apiRoutes().filter((x) => !hidden.has(x.path))) {
      const path = r.path.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${path} is missing from the OpenAPI document`);
      assert.equal(op['x-access'], r.access, `${r.method} ${path} documents its access`);
    }
  });

  it('GET /api is a root document with the version and links, and /api/reference is a readable page', async () => {
    const root = await tn.request({ method: 'GET', url: '/api' });
    assert.equal(root.statusCode, 200, root.body);
    assert.equal(root.json().application, 'Shoal');
    assert.match(root.json().version, /^\d+\.\d+\.\d+/);
    assert.equal(root.json().links.tasks, '/api/tasks');
    assert.equal((await tn.request({ method: 'GET', url: '/api/' })).json().application, 'Shoal');
    const page = await tn.request({ method: 'GET', url: '/api/reference' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.body, /POST<\/span> <code>\/api\/tasks<\/code>/);
    assert.ok(!/<script/i.test(page.body), 'no script in the page');
  });

  it('an unknown /api path is 404 in the error shape, not the portal', async () => {
    for (const url of ['/api/nothing-here', '/api/tasks/1/nothing', '/API/Nothing']) {
      const res = await tn.request({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 'NotFound');
    }
  });
});
