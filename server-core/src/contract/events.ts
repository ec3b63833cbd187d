import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Page, Paging, Timestamp } from './common.js';
import { endpoint } from './endpoint.js';

/** One audit event: who did what to what, from where. */
export const AuditEvent = Type.Object(
  {
    id: Type.String(),
    occurred: Timestamp,
    username: Nullable(Type.String()),
    action: Type.String(),
    target: Nullable(Type.String()),
    details: Type.Unknown(),
    clientIp: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditEventPage = Page(AuditEvent);
export type AuditEventPage = Static<typeof AuditEventPage>;

export const auditEndpoints = {
  listEvents: endpoint({ method: 'GET', url: '/api/events', summary: 'The audit log, newest first.', querystring: Paging, response: { 200: AuditEventPage } }),
};
