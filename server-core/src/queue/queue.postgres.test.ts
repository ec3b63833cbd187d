import { after, before, beforeEach } from 'node:test';
import { openDatabase } from '../db/open.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../testing/throwawayPostgres.js';
import { queueConformance } from '../testing/queueConformance.js';

// A private PostgreSQL server for this file, and a fresh database for every test.
let pg: ThrowawayPostgres;
let url = '';
before(async () => {
  pg = await startThrowawayPostgres();
});
after(() => pg?.destroy());
beforeEach(async () => {
  url = await pg.createDatabase();
});

queueConformance('postgres', () => openDatabase(url));
