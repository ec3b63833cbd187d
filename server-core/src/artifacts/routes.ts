import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { notFound } from '../api/errors.js';
import { sendStoredFile } from '../api/fileDownload.js';
import { taskEndpoints } from '../contract/tasks.js';
import { getTask } from '../queue/list.js';
import { parseTaskId, taskId } from '../queue/taskRecord.js';
import { listArtifacts, resolveArtifact, taskArtifactsFolder } from './artifacts.js';

/** Files tasks attached, stored on the artifacts path so every node can serve them. */
export const artifactRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const taskFolder = async (id: string) => {
    const n = parseTaskId(id);
    const row = n === undefined ? undefined : await getTask(ctx.shoal, n);
    if (!row) throw notFound(`There is no task ${id}.`);
    const name = taskId(Number(row.id));
    return { name, folder: taskArtifactsFolder(ctx.config.storage.artifacts, name) };
  };

  app.get(taskEndpoints.listArtifacts.url, { schema: endpointSchema(taskEndpoints.listArtifacts), config: { access: 'read' } }, async (req) => {
    const { name, folder } = await taskFolder(req.params.id);
    const items = (await listArtifacts(folder)).map((a) => ({
      ...a,
      links: { raw: `/api/tasks/${name}/artifacts/${a.name.split('/').map(encodeURIComponent).join('/')}` },
    }));
    return { items, total: items.length };
  });

  app.get(taskEndpoints.getArtifact.url, { schema: endpointSchema(taskEndpoints.getArtifact), config: { access: 'read' } },
    async (req, reply) => {
      const { name, folder } = await taskFolder(req.params.id);
      const artifact = req.params['*'];
      const missing = notFound(`Task ${name} has no artifact ${artifact}.`);
      const file = await resolveArtifact(folder, artifact);
      if (!file) throw missing;
      return sendStoredFile(req, reply, { root: folder, file, downloadName: artifact.split('/').at(-1)!, whenMissing: missing });
    },
  );
};
