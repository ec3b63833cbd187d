import { Type, type Static } from '@sinclair/typebox';
import { endpoint } from './endpoint.js';
import { FileDownload } from './tasks.js';

/**
 * The self-contained agent every node serves (built by agent/scripts/bundle.mjs): public,
 * like any installer, so a target machine fetches it before it has any credential.
 */
export const AgentBundleManifest = Type.Object(
  {
    version: Type.String({ description: "The agent's version." }),
    platform: Type.String({ description: 'The operating system and processor it runs on, as Node names them: linux-x64, darwin-arm64, win32-x64.' }),
    node: Type.String({ description: 'The version of the Node runtime inside.' }),
    agentSha256: Type.String({ description: "SHA-256 of the agent's code (lib/shoal-agent.mjs): what `shoal-agent upgrade` compares." }),
    archive: Type.String({ description: 'The file name of the .tar.gz.' }),
    size: Type.Integer({ description: 'Bytes of the .tar.gz.' }),
    sha256: Type.String({ description: "SHA-256 of this node's .tar.gz (nodes built separately differ; each download names its own in the X-Shoal-Agent-Sha256 header)." }),
  },
  { additionalProperties: false },
);
export type AgentBundleManifest = Static<typeof AgentBundleManifest>;

/** The SHA-256 of the archive a download sends, from the node that sends it. */
export const AGENT_DOWNLOAD_SHA256_HEADER = 'x-shoal-agent-sha256';

export const agentDownloadEndpoints = {
  agentBundle: endpoint({ method: 'GET', url: '/api/agent', summary: 'The self-contained agent this node serves: version, platform, size and hashes (anonymous).', response: { 200: AgentBundleManifest } }),
  downloadAgent: endpoint({
    method: 'GET',
    url: '/api/agent/download',
    summary: 'The self-contained agent as .tar.gz (shoal-agent/ with its Node runtime; anonymous; Range supported).',
    response: { 200: FileDownload },
  }),
};
