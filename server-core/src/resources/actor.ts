import type { FastifyRequest } from 'fastify';
import type { Permissions } from '../auth/permissions.js';

/** Who changes something, for the rules and the audit log. */
export interface Actor {
  username: string;
  userId: number;
  clientIp?: string;
  permissions: Permissions;
}

export const actorOf = (req: FastifyRequest): Actor => ({
  username: req.user!.username,
  userId: Number(req.user!.id),
  clientIp: req.ip,
  permissions: req.principal!.permissions,
});
