import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Value } from '@sinclair/typebox/value';
import { endpointSchema } from '../api/endpointSchema.js';
import { notFound } from '../api/errors.js';
import { sendStoredFile } from '../api/fileDownload.js';
import { AGENT_DOWNLOAD_SHA256_HEADER, AgentBundleManifest, agentDownloadEndpoints as e } from '../contract/agentDownload.js';
import type { NodeContext } from '../nodeContext.js';

/**
 * The self-contained agent (agent/scripts/bundle.mjs builds it), for anyone: a target machine
 * fetches it before it has a credential, and it holds no secret. The manifest is read on each
 * request, so a rebuilt bundle is served without restarting the node.
 */
export const agentDownloadRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const dir = ctx.config.agentBundleDir;
  const manifest = (): AgentBundleManifest => {
    const none = notFound('This node serves no agent: it was started without a built one (run `npm run build` in the repository, or set agentBundleDir in its config).');
    if (!dir) throw none;
    let m: unknown;
    try {
      m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    } catch {
      throw none;
    }
    if (!Value.Check(AgentBundleManifest, m) || path.basename(m.archive) !== m.archive) throw none;
    return m;
  };

  app.get(e.agentBundle.url, { schema: endpointSchema(e.agentBundle), config: { access: 'anonymous' } }, async () => manifest());

  app.get(e.downloadAgent.url, { schema: endpointSchema(e.downloadAgent), config: { access: 'anonymous' } }, async (req, reply) => {
    const m = manifest();
    reply.header(AGENT_DOWNLOAD_SHA256_HEADER, m.sha256);
    return sendStoredFile(req, reply, { root: dir!, file: path.join(dir!, m.archive), downloadName: m.archive, contentType: 'application/gzip', whenMissing: notFound(`This node's agent bundle lists ${m.archive}, which is not there; rebuild it with \`npm run build\`.`) });
  });
};
