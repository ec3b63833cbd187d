import { badRequest, conflict } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import type { ReleaseBody, ReleaseDetail } from '../contract/releases.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import { listDeployments, releaseReach } from './deploymentViews.js';
import { lifecycleView, queueAutomaticDeployments, type QueueOptions } from './service.js';
import { promotionRefusal } from '../lifecycles/phases.js';
import { findProject } from '../projects/projectRows.js';
import { parseProcess } from '../projects/process.js';
import type { Actor } from '../resources/actor.js';
import { formatId, missing, parseId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { nextVersion } from './nextVersion.js';
import { findRelease, toRelease, type ReleaseRow } from './releaseRows.js';
import { parseSnapshot, takeSnapshot } from '../projects/snapshot.js';

export async function requireRelease(shoal: ShoalDb, spaceId: string, id: number): Promise<ReleaseRow> {
  const row = await findRelease(shoal, spaceId, id);
  if (!row) throw missing('release', id, spaceId);
  return row;
}

/**
 * Snapshots the project's process, variables and package versions as a new release; queues
 * the deployments its lifecycle makes automatic from the start. Returns the release and the
 * tasks queued.
 */
export async function createRelease(shoal: ShoalDb, actor: Actor, spaceId: string, body: ReleaseBody, o: QueueOptions = {}) {
  return unitOfWork(shoal, async (trx) => {
    const projectId = parseId('project', body.projectId);
    const project = projectId === undefined ? undefined : await findProject(trx, spaceId, projectId);
    if (!project) throw badRequest(`projectId: there is no project ${body.projectId} in ${spaceId}`);
    const steps = parseProcess(project.process);
    if (!steps.length) throw conflict(`${project.name} has no deployment process yet; add a step before creating a release.`);
    let version = body.version?.trim();
    const taken = async (v: string) => !!(await trx.db.selectFrom('releases').select('id').where('project_id', '=', projectId!).where('version_key', '=', v.toLowerCase()).executeTakeFirst());
    if (version !== undefined) {
      if (!version || /[\s/\\]/.test(version)) throw badRequest('version: a release version has no spaces or slashes');
      if (await taken(version)) throw conflict(`${project.name} already has a release ${version}.`);
    } else {
      const last = await trx.db.selectFrom('releases').select('version').where('project_id', '=', projectId!).orderBy('id', 'desc').executeTakeFirst();
      version = nextVersion(last?.version);
      while (await taken(version)) version = nextVersion(version);
    }
    const snapshot = await takeSnapshot(trx, project, steps, body.packages ?? {});
    const row = await insertReturning(trx, 'releases', {
      space_id: spaceId,
      project_id: projectId!,
      version,
      version_key: version.toLowerCase(),
      notes: body.notes ?? '',
      snapshot: JSON.stringify(snapshot),
      created_at: trx.dialect.now(),
      created_by: actor.username,
    });
    await recordEvent(trx, {
      username: actor.username,
      action: 'release.create',
      target: formatId('release', row.id),
      details: { project: project.name, version, packages: snapshot.packages },
      clientIp: actor.clientIp,
    });
    const queued = await queueAutomaticDeployments(trx, row, actor.username, o);
    return { release: toRelease(row), queued };
  });
}

/** The release with its process and where it stands in its lifecycle, for the caller. */
export async function releaseDetail(shoal: ShoalDb, actor: Actor, row: ReleaseRow): Promise<ReleaseDetail> {
  const { lifecycle, phases, envs, names } = await lifecycleView(shoal, row);
  const { succeeded } = await releaseReach(shoal, Number(row.id));
  const deployments = (await listDeployments(shoal, { spaceId: row.space_id, releaseId: Number(row.id) })).items;
  const progression = phases.flatMap((p) =>
    [...p.environmentIds.map((e) => ({ e, automatic: false })), ...p.automaticDeploymentEnvironmentIds.map((e) => ({ e, automatic: true }))]
      .sort((a, b) => envs.findIndex((x) => formatId('environment', x.id) === a.e) - envs.findIndex((x) => formatId('environment', x.id) === b.e))
      .map(({ e, automatic }) => {
        const lifecycleReason = promotionRefusal(phases, e, succeeded, names);
        const reason = lifecycleReason ?? (actor.permissions.canDeployTo(e) ? null : `You may not deploy to ${names(e)}: none of your teams lets you deploy there.`);
        return {
          environmentId: e,
          environmentName: names(e),
          phaseName: p.name,
          automatic,
          deployment: deployments.find((d) => d.environmentId === e) ?? null,
          canDeploy: reason === null,
          reason,
        };
      }),
  );
  const next = progression.find((x) => x.canDeploy && !succeeded.has(x.environmentId));
  return {
    ...toRelease(row),
    lifecycleId: formatId('lifecycle', lifecycle.id),
    process: parseSnapshot(row.snapshot).process,
    progression,
    nextEnvironmentId: next?.environmentId ?? null,
  };
}
