import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { endpointSchema } from '../api/endpointSchema.js';
import { notFound } from '../api/errors.js';
import { sendStoredFile } from '../api/fileDownload.js';
import { AGENT_DOWNLOAD_SHA256_HEADER, AgentBundleManifest, agentDownloadEndpoints as e, type AgentBundleInfo } from '../contract/agentDownload.js';
import type { NodeContext } from '../nodeContext.js';

/** agent/bundle/manifest.json as agent/scripts/bundle.mjs writes it: one manifest per archive. */
const BundleIndex = Type.Object({ bundles: Type.Array(AgentBundleManifest, { minItems: 1 }) });

const HOST_PLATFORM = `${process.platform}-${process.arch}`;

/**
 * The self-contained agents (agent/scripts/bundle.mjs builds them, one per platform), for anyone:
 * a target machine fetches one before it has a credential, and it holds no secret. The index is
 * read on each request, so a rebuilt bundle is served without restarting the node.
 */
export const agentDownloadRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const dir = ctx.config.agentBundleDir;
  const bundles = (): AgentBundleManifest[] => {
    const none = notFound('This node serves no agent: it was started without a built one (run `npm run build` in the repository, or set agentBundleDir in its config).');
    if (!dir) throw none;
    let index: unknown;
    try {
      index = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    } catch {
      throw none;
    }
    if (!Value.Check(BundleIndex, index) || index.bundles.some((b) => path.basename(b.archive) !== b.archive)) throw none;
    return index.bundles;
  };
  /** The bundle for `platform`; without one, the node's own platform's, else the first. */
  const bundleFor = (platform: string | undefined): AgentBundleInfo => {
    const all = bundles();
    const platforms = all.map((b) => b.platform);
    const found = platform ? all.find((b) => b.platform === platform) : (all.find((b) => b.platform === HOST_PLATFORM) ?? all[0]);
    if (!found) throw notFound(`This node serves no agent for ${platform}; it serves ${platforms.join(', ')}.`);
    return { ...found, platforms };
  };

  app.get(e.agentBundle.url, { schema: endpointSchema(e.agentBundle), config: { access: 'anonymous' } }, async (req) => bundleFor(req.query.platform));

  app.get(e.downloadAgent.url, { schema: endpointSchema(e.downloadAgent), config: { access: 'anonymous' } }, async (req, reply) => {
    const m = bundleFor(req.query.platform);
    reply.header(AGENT_DOWNLOAD_SHA256_HEADER, m.sha256);
    return sendStoredFile(req, reply, { root: dir!, file: path.join(dir!, m.archive), downloadName: m.archive, contentType: 'application/gzip', whenMissing: notFound(`This node's agent bundle lists ${m.archive}, which is not there; rebuild it with \`npm run build\`.`) });
  });
};
