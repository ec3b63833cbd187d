import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import type { MigrationJob } from './migrationJob.js';
import { errorHandler } from '../api/errors.js';
import { blockWritesWhileMigrating } from './writeGuard.js';

describe('changes during the portal migration', () => {
  it('are refused with 503 while it runs; reads are served; after it, changes pass', async () => {
    const job = { running: true } as MigrationJob;
    const app = Fastify();
    app.setErrorHandler(errorHandler);
    blockWritesWhileMigrating(app, job);
    app.get('/api/thing', async () => ({ ok: true }));
    app.post('/api/thing', async () => ({ ok: true }));
    const post = await app.inject({ method: 'POST', url: '/api/thing', payload: {} });
    assert.equal(post.statusCode, 503);
    assert.equal(post.json().error.code, 'MigrationInProgress');
    assert.equal((await app.inject({ method: 'GET', url: '/api/thing' })).statusCode, 200);
    (job as { running: boolean }).running = false;
    assert.equal((await app.inject({ method: 'POST', url: '/api/thing', payload: {} })).statusCode, 200);
  });
});
