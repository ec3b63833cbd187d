/**
 * shoal-manager's HTTP server on 127.0.0.1: the page, the token exchange, the bridge (calls and
 * events) and the API proxy. Built here, listened to by the caller (cli/main.ts, tests).
 */
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { answerBridge, bridgeHandlers, type BridgeHost } from '../bridge/handlers.js';
import type { ManagerCore } from '../manager.js';
import { PortalFiles } from '../portal/portalFiles.js';
import { parseProxyPath, proxyBase, proxyToCluster, sendError } from '../proxy/apiProxy.js';
import { openEventStream } from './eventStream.js';
import { registerGuards } from './guards.js';
import { registerPage } from './page.js';
import { SESSION_COOKIE, SessionGate } from './sessionGate.js';

export interface ManagerServer {
  app: FastifyInstance;
  gate: SessionGate;
}

export interface ManagerServerOptions {
  /** The renderer's build (default: renderer/dist of this repository). */
  portal?: PortalFiles;
  /** Restarts the embedded node, where shoal-manager runs one (Move to HA). */
  restartEmbedded?: BridgeHost['restartEmbedded'];
}

export async function buildManagerServer(core: ManagerCore, logger: Logger, o: ManagerServerOptions = {}): Promise<ManagerServer> {
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 1024 * 1024, forceCloseConnections: true });
  const gate = new SessionGate();
  await app.register(cookie);
  registerGuards(app, gate);
  registerPage(app, o.portal ?? new PortalFiles());

  app.post<{ Body: { token?: unknown } }>('/session', { config: { public: true } }, async (req, reply) => {
    const session = typeof req.body?.token === 'string' ? gate.exchange(req.body.token) : undefined;
    if (!session) {
      return reply.status(401).send({ error: { code: 'BadToken', message: 'This link was already used or is not the one shoal-manager printed; restart shoal-manager for a new one.' } });
    }
    reply.setCookie(SESSION_COOKIE, session, { path: '/', httpOnly: true, sameSite: 'strict', secure: false });
    return reply.status(204).send();
  });

  const handlers = bridgeHandlers(core, { kind: 'browser', apiBase: proxyBase, restartEmbedded: o.restartEmbedded });
  app.post<{ Params: { channel: string }; Body: unknown }>('/bridge/invoke/:channel', async (req, reply) => {
    const answer = await answerBridge(handlers, req.params.channel, req.body ?? [], (e) => req.log.error({ err: e.message, channel: req.params.channel }, 'bridge call failed'));
    return reply.status(answer.status).header('cache-control', 'no-store').send(answer.body);
  });

  app.get('/bridge/events', async (req, reply) => {
    reply.hijack();
    let unsubscribe = () => {};
    const send = openEventStream(reply.raw, () => unsubscribe());
    unsubscribe = core.subscribe((e) => send(e.event, e.payload));
  });

  await app.register(async (proxy) => {
    // Bodies stay unread here: the proxy pipes them to the cluster as they arrive.
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', (_req, _payload, done) => done(null));
    const forward = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      reply.hijack();
      const target = parseProxyPath(req.raw.url ?? '');
      const { id } = req.params;
      const client = core.store.find(id) ? core.clientOf(id) : undefined;
      if (!client || !target) return sendError(reply.raw, 404, 'NotFound', `There is no connection ${id}.`);
      await proxyToCluster(client, target.apiPath, req.raw, reply.raw);
    };
    proxy.all('/connections/:id/api', forward);
    proxy.all('/connections/:id/api/*', forward);
  });

  return { app, gate };
}
