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

/** What a node says of one of its agents: that agent's manifest, and every platform it serves one for. */
export const AgentBundleInfo = Type.Object(
  {
    ...AgentBundleManifest.properties,
    platforms: Type.Array(Type.String(), { description: 'Every platform this node serves an agent for; ask for one with ?platform=.' }),
  },
  { additionalProperties: false },
);
export type AgentBundleInfo = Static<typeof AgentBundleInfo>;

/** Platforms an agent bundle can be built for (agent/scripts/bundle.mjs), as Node names them. */
export const AGENT_PLATFORM_PATTERN = '^(linux|darwin|win32)-(x64|arm64)$';

export const AgentPlatformQuery = Type.Object(
  { platform: Type.Optional(Type.String({ pattern: AGENT_PLATFORM_PATTERN, description: "The agent's platform, e.g. win32-x64; absent: the node's own, else the first it serves." })) },
  { additionalProperties: false },
);

/** The SHA-256 of the archive a download sends, from the node that sends it. */
export const AGENT_DOWNLOAD_SHA256_HEADER = 'x-shoal-agent-sha256';

export const agentDownloadEndpoints = {
  agentBundle: endpoint({ method: 'GET', url: '/api/agent', summary: 'A self-contained agent this node serves: version, platform, size and hashes, and the platforms served (anonymous).', querystring: AgentPlatformQuery, response: { 200: AgentBundleInfo } }),
  downloadAgent: endpoint({
    method: 'GET',
    url: '/api/agent/download',
    summary: 'A self-contained agent as .tar.gz (shoal-agent/ with its Node runtime; anonymous; Range supported).',
    querystring: AgentPlatformQuery,
    response: { 200: FileDownload },
  }),
};
