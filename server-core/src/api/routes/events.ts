import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listEvents } from '../../audit/events.js';
import type { NodeContext } from '../context.js';

const Paging = Type.Object(
  { take: Type.Integer({ minimum: 1, maximum: 500, default: 30 }), skip: Type.Integer({ minimum: 0, default: 0 }) },
  { additionalProperties: false },
);

export function eventRoutes(app: FastifyInstance, ctx: NodeContext): void {
  app.get<{ Querystring: Static<typeof Paging> }>('/api/events', { schema: { querystring: Paging }, config: { access: 'admin' } }, async (req) =>
    listEvents(ctx.shoal, req.query.take, req.query.skip),
  );
}
