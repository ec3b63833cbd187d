import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listArtifacts, resolveArtifact, taskArtifactsFolder } from '../../artifacts/artifacts.js';
import { getTask } from '../../queue/list.js';
import { parseTaskId, taskId } from '../../queue/taskRecord.js';
import { sendStoredFile } from '../fileDownload.js';
import type { NodeContext } from '../context.js';
import { notFound } from '../errors.js';

const TaskParams = Type.Object({ id: Type.String({ maxLength: 40 }) });
const ArtifactParams = Type.Object({ id: Type.String({ maxLength: 40 }), '*': Type.String({ maxLength: 1000 }) });

/** Files tasks attached, stored on the artifacts path so every node can serve them. */
export function artifactRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const taskFolder = async (id: string) => {
    const n = parseTaskId(id);
    const row = n === undefined ? undefined : await getTask(ctx.shoal, n);
    if (!row) throw notFound(`There is no task ${id}.`);
    const name = taskId(Number(row.id));
    return { name, folder: taskArtifactsFolder(ctx.config.storage.artifacts, name) };
  };

  app.get<{ Params: Static<typeof TaskParams> }>('/api/tasks/:id/artifacts', { schema: { params: TaskParams }, config: { access: 'read' } }, async (req) => {
    const { name, folder } = await taskFolder(req.params.id);
    const items = (await listArtifacts(folder)).map((a) => ({
      ...a,
      links: { raw: `/api/tasks/${name}/artifacts/${a.name.split('/').map(encodeURIComponent).join('/')}` },
    }));
    return { items, total: items.length };
  });

  app.get<{ Params: Static<typeof ArtifactParams> }>('/api/tasks/:id/artifacts/*', { schema: { params: ArtifactParams }, config: { access: 'read' } }, async (req, reply) => {
    const { name, folder } = await taskFolder(req.params.id);
    const artifact = req.params['*'];
    const missing = notFound(`Task ${name} has no artifact ${artifact}.`);
    const file = await resolveArtifact(folder, artifact);
    if (!file) throw missing;
    return sendStoredFile(req, reply, { file, downloadName: artifact.split('/').at(-1)!, whenMissing: missing });
  });
}
