import { Type, type Static } from '@sinclair/typebox';
import { NoContent, Nullable, Timestamp } from './common.js';
import { endpoint } from './endpoint.js';

export const ROLES = ['Viewer', 'Deployer', 'ProjectEditor', 'Admin'] as const;
export const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
export type Role = Static<typeof Role>;

export const PERMISSIONS = ['read', 'package.push', 'deploy', 'project.edit', 'admin'] as const;
export const Permission = Type.Union(PERMISSIONS.map((p) => Type.Literal(p)));
export type Permission = Static<typeof Permission>;

export const User = Type.Object(
  {
    id: Type.String({ description: 'Users-<n>' }),
    username: Type.String(),
    disabled: Type.Boolean(),
    isAdmin: Type.Boolean(),
    teamIds: Type.Array(Type.String()),
    roles: Type.Array(Role),
    permissions: Type.Array(Permission),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type User = Static<typeof User>;
export const UserList = Type.Array(User);

const Username = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._@-]+$' });
const Password = Type.String({ minLength: 1, maxLength: 1000, description: 'At least 12 characters; not a common password, the username, one or two characters repeated, or a run of keys or digits.' });
const TeamIds = Type.Array(Type.String({ pattern: '^(Teams-)?[0-9]{1,15}$' }), { maxItems: 100 });

export const Login = Type.Object({ username: Type.String({ minLength: 1, maxLength: 200 }), password: Password }, { additionalProperties: false });
export type Login = Static<typeof Login>;
export const NewUser = Type.Object(
  { username: Username, password: Password, teamIds: Type.Optional(TeamIds), isAdmin: Type.Optional(Type.Boolean({ description: 'Shortcut for the Administrators team.' })) },
  { additionalProperties: false },
);
export type NewUser = Static<typeof NewUser>;
export const UserPatch = Type.Object({ disabled: Type.Optional(Type.Boolean()), teamIds: Type.Optional(TeamIds) }, { additionalProperties: false });
export type UserPatch = Static<typeof UserPatch>;
export const OwnPasswordChange = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });
export type OwnPasswordChange = Static<typeof OwnPasswordChange>;
export const PasswordReset = Type.Object({ newPassword: Password }, { additionalProperties: false });
export type PasswordReset = Static<typeof PasswordReset>;
export const LoggedOut = Type.Object({ ok: Type.Boolean() }, { additionalProperties: false });

export const ApiKey = Type.Object(
  {
    id: Type.String({ description: 'ApiKeys-<n>' }),
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the key, to recognise it.' }),
    createdAt: Timestamp,
    expiresAt: Nullable(Timestamp),
    readOnly: Type.Boolean(),
    revoked: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ApiKey = Static<typeof ApiKey>;
export const ApiKeyList = Type.Array(ApiKey);
export const CreatedApiKey = Type.Composite([ApiKey, Type.Object({ apiKey: Type.String({ description: 'The key itself, shown once.' }) })], { additionalProperties: false });
export type CreatedApiKey = Static<typeof CreatedApiKey>;
export const NewApiKey = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Absent: the key does not expire.' })),
    readOnly: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type NewApiKey = Static<typeof NewApiKey>;

export const Session = Type.Object(
  { id: Type.String({ description: 'Sessions-<hash prefix>' }), createdAt: Timestamp, lastUsedAt: Timestamp, expiresAt: Timestamp },
  { additionalProperties: false },
);
export type Session = Static<typeof Session>;
export const SessionList = Type.Array(Session);

const UserId = Type.String({ pattern: '^(Users-)?[0-9]{1,15}$' });
const KeyId = Type.String({ pattern: '^(ApiKeys-)?[0-9]{1,15}$' });
export const KeyParams = Type.Object({ id: KeyId });
export const UserParams = Type.Object({ id: UserId });
export const UserKeyParams = Type.Object({ id: UserId, keyId: KeyId });
export const UserSessionParams = Type.Object({ id: UserId, sessionId: Type.String({ maxLength: 40 }) });

export const Team = Type.Object(
  {
    id: Type.String({ description: 'Teams-<n>' }),
    name: Type.String(),
    description: Type.String(),
    roles: Type.Array(Role),
    environmentIds: Nullable(Type.Array(Type.String()), ),
    builtIn: Type.Boolean(),
    memberIds: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type Team = Static<typeof Team>;
export const TeamList = Type.Array(Team);
export const TeamBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    roles: Type.Array(Role, { maxItems: ROLES.length, uniqueItems: true }),
    environmentIds: Type.Optional(Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 500, description: "Environments the team's Deployer role is limited to; null or absent: every environment." }))),
  },
  { additionalProperties: false },
);
export type TeamBody = Static<typeof TeamBody>;
export const TeamParams = Type.Object({ id: Type.String({ pattern: '^(Teams-)?[0-9]{1,15}$' }) });

export const userEndpoints = {
  login: endpoint({ method: 'POST', url: '/api/users/login', summary: 'Log in: sets the session cookie (SameSite=Strict).', body: Login, response: { 200: User } }),
  logout: endpoint({ method: 'POST', url: '/api/users/logout', summary: 'End this session.', response: { 200: LoggedOut } }),
  me: endpoint({ method: 'GET', url: '/api/users/me', summary: 'Who you are, with your roles and permissions.', response: { 200: User } }),
  changeOwnPassword: endpoint({ method: 'PUT', url: '/api/users/me/password', summary: 'Change your password (your other sessions end).', body: OwnPasswordChange, response: { 204: NoContent } }),
  listOwnKeys: endpoint({ method: 'GET', url: '/api/users/me/apikeys', summary: 'Your API keys.', response: { 200: ApiKeyList } }),
  createOwnKey: endpoint({ method: 'POST', url: '/api/users/me/apikeys', summary: 'A new API key (shown once), optionally read-only or expiring.', body: NewApiKey, response: { 201: CreatedApiKey } }),
  revokeOwnKey: endpoint({ method: 'DELETE', url: '/api/users/me/apikeys/:id', summary: 'Revoke one of your API keys.', params: KeyParams, response: { 204: NoContent } }),
  listUsers: endpoint({ method: 'GET', url: '/api/users', summary: 'Every user.', response: { 200: UserList } }),
  createUser: endpoint({ method: 'POST', url: '/api/users', summary: 'Create a user.', body: NewUser, response: { 201: User } }),
  getUser: endpoint({ method: 'GET', url: '/api/users/:id', summary: 'One user.', params: UserParams, response: { 200: User } }),
  updateUser: endpoint({ method: 'PATCH', url: '/api/users/:id', summary: "Disable or enable a user, or set their teams.", params: UserParams, body: UserPatch, response: { 200: User } }),
  deleteUser: endpoint({ method: 'DELETE', url: '/api/users/:id', summary: 'Delete a user with their keys and sessions.', params: UserParams, response: { 204: NoContent } }),
  resetPassword: endpoint({ method: 'PUT', url: '/api/users/:id/password', summary: "Set a user's password (their sessions end).", params: UserParams, body: PasswordReset, response: { 204: NoContent } }),
  listUserKeys: endpoint({ method: 'GET', url: '/api/users/:id/apikeys', summary: "A user's API keys.", params: UserParams, response: { 200: ApiKeyList } }),
  revokeUserKey: endpoint({ method: 'DELETE', url: '/api/users/:id/apikeys/:keyId', summary: "Revoke a user's API key.", params: UserKeyParams, response: { 204: NoContent } }),
  listUserSessions: endpoint({ method: 'GET', url: '/api/users/:id/sessions', summary: "A user's sessions.", params: UserParams, response: { 200: SessionList } }),
  endUserSessions: endpoint({ method: 'DELETE', url: '/api/users/:id/sessions', summary: "End every session of a user.", params: UserParams, response: { 204: NoContent } }),
  endUserSession: endpoint({ method: 'DELETE', url: '/api/users/:id/sessions/:sessionId', summary: 'End one session.', params: UserSessionParams, response: { 204: NoContent } }),
};

export const teamEndpoints = {
  listTeams: endpoint({ method: 'GET', url: '/api/teams', summary: 'Every team, with its roles and members.', response: { 200: TeamList } }),
  getTeam: endpoint({ method: 'GET', url: '/api/teams/:id', summary: 'One team.', params: TeamParams, response: { 200: Team } }),
  createTeam: endpoint({ method: 'POST', url: '/api/teams', summary: 'Create a team.', body: TeamBody, response: { 201: Team } }),
  updateTeam: endpoint({ method: 'PUT', url: '/api/teams/:id', summary: "Change a team's name, roles or environments.", params: TeamParams, body: TeamBody, response: { 200: Team } }),
  deleteTeam: endpoint({ method: 'DELETE', url: '/api/teams/:id', summary: 'Delete a team (not a built-in one).', params: TeamParams, response: { 204: NoContent } }),
};
