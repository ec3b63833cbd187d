import yazl from 'yazl';
import type { ShoalClient } from './apiClient.js';
import { FINAL_STATES } from './tasks.js';
import { waitFor } from './waitFor.js';

export const SPACE = '/api/Spaces-1';

/** A real zip, made in memory; `.sh` files are executable. */
export async function buildZip(files: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) z.addBuffer(Buffer.from(content), name, { mode: name.endsWith('.sh') ? 0o100755 : 0o100644 });
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** POST /api/Spaces-1/packages/raw with the file as multipart. */
export async function uploadPackage(client: ShoalClient, fileName: string, bytes: Buffer): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), fileName);
  const res = await fetch(`${client.baseUrl}${SPACE}/packages/raw`, { method: 'POST', headers: client.headers(), body: form });
  if (res.status !== 201) throw new Error(`upload of ${fileName}: ${res.status} ${await res.text()}`);
}

export interface DeploymentView {
  id: string;
  taskId: string;
  state: string;
  errorMessage: string | null;
  environmentId: string;
  releaseId: string;
}

/** Waits for a deployment's task to end; returns the deployment as the API shows it then. */
export function waitForDeployment(client: ShoalClient, id: string, timeoutMs = 60_000): Promise<DeploymentView> {
  return waitFor(
    async () => {
      const d = await client.get<DeploymentView>(`${SPACE}/deployments/${id}`);
      return FINAL_STATES.includes(d.state) ? d : undefined;
    },
    { timeoutMs, intervalMs: 100, message: `deployment ${id} did not end` },
  );
}
