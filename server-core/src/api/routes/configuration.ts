import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordEvent } from '../../audit/events.js';
import { readSetting, SETTING, writeSetting } from '../../settings/settings.js';
import type { NodeContext } from '../context.js';

const QueueConfig = Type.Object({ paused: Type.Boolean() }, { additionalProperties: false });

/** Cluster-wide switches that would otherwise mean touching every node. */
export function configurationRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const queueState = async () => ({ paused: (await readSetting(ctx.shoal, SETTING.queuePaused)) === 'true' });

  app.get('/api/configuration/queue', { config: { access: 'read' } }, async () => queueState());

  app.put<{ Body: Static<typeof QueueConfig> }>(
    '/api/configuration/queue',
    { schema: { body: QueueConfig }, config: { access: 'admin' } },
    async (req) => {
      await writeSetting(ctx.shoal, SETTING.queuePaused, String(req.body.paused));
      await recordEvent(ctx.shoal, { username: req.user!.username, action: req.body.paused ? 'queue.pause' : 'queue.resume', clientIp: req.ip });
      ctx.executor.queueChanged();
      return queueState();
    },
  );
}
