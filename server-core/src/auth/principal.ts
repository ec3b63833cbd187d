import type { ShoalDb } from '../db/dialects/dialect.js';
import { userForApiKey } from './apiKeys.js';
import { Permissions } from './permissions.js';
import { userForSession } from './sessions.js';
import { grantsOfUser } from './teams.js';
import type { UserRow } from './users.js';

/** Who is calling and what they may do. */
export interface Principal {
  user: UserRow;
  permissions: Permissions;
  /** A read-only API key: only GET and HEAD, whatever the user may do. */
  readOnly: boolean;
  via: 'key' | 'session';
}

export type Credential = { kind: 'key' | 'session'; value: string };

/** The principal behind an API key or session token, or undefined when it is not valid. */
export async function principalFor(shoal: ShoalDb, cred: Credential): Promise<Principal | undefined> {
  let user: UserRow | undefined;
  let readOnly = false;
  if (cred.kind === 'key') {
    const found = await userForApiKey(shoal, cred.value);
    user = found?.user;
    readOnly = !!found?.readOnly;
  } else {
    user = await userForSession(shoal, cred.value);
  }
  if (!user) return undefined;
  return { user, permissions: new Permissions(await grantsOfUser(shoal, Number(user.id))), readOnly, via: cred.kind };
}
