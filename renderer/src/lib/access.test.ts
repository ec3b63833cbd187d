import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { User } from '@shoal/server-core/contract';
import { landingFor } from './access';

const user = (o: Partial<User>) => ({ isAdmin: false, permissions: [], ...o }) as unknown as User;

test('logging in leads those who deploy to the Dashboard, the others to Tasks', () => {
  assert.equal(landingFor(user({ isAdmin: true })), '#/dashboard');
  assert.equal(landingFor(user({ permissions: ['read', 'deploy'] })), '#/dashboard');
  assert.equal(landingFor(user({ permissions: ['read'] })), '#/tasks');
});
