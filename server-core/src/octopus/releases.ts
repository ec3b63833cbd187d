import { badRequest, notFound } from '../api/errors.js';
import type { Step } from '../contract/projects.js';
import { listReleases, toRelease } from '../deployments/releaseRows.js';
import { createRelease, requireRelease } from '../deployments/releaseService.js';
import type { NodeContext } from '../nodeContext.js';
import { parseProcess } from '../projects/process.js';
import { actorOf } from '../resources/actor.js';
import { formatId, requireId } from '../resources/ids.js';
import { projectCommand } from './command.js';
import type { OctopusHandler } from './dialect.js';
import { requireProjectByIdOrSlug } from './lookup.js';
import { toOctopusRelease } from './resources.js';

type SpaceParams = { spaceId: string };

/** `Step:Version`, `PackageId:Version` or `Step:PackageRef:Version`; `\:` is a colon inside a part. */
function splitSpec(spec: string): string[] {
  return spec.split(/(?<!\\):/).map((p) => p.replace(/\\:/g, ':').trim());
}

/** Octopus's package selection as Shoal's: a version per DeployPackage step. */
export function selectedPackages(steps: Step[], defaultVersion: string | undefined, specs: string[], projectName: string): Record<string, string> {
  const packageSteps = steps.filter((s) => s.action === 'DeployPackage');
  const out: Record<string, string> = {};
  if (defaultVersion) for (const s of packageSteps) out[s.name] = defaultVersion;
  const same = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
  for (const spec of specs) {
    const parts = splitSpec(spec);
    const [ref, version] = [parts[0]!, parts[parts.length - 1]!];
    if (parts.length < 2 || parts.length > 3 || !ref || !version) throw badRequest(`Packages: "${spec}" is not StepName:Version or PackageId:Version`);
    let matched = ref === '*' ? packageSteps : packageSteps.filter((s) => same(s.name, ref));
    if (!matched.length) matched = packageSteps.filter((s) => same(s.properties.packageId, ref));
    if (!matched.length) throw badRequest(`Packages: "${ref}" is neither a package step nor a package of ${projectName}`);
    for (const s of matched) out[s.name] = version;
  }
  return out;
}

/**
 * `POST /api/{spaceId}/releases/create/v1`: Octopus's release command, translated to Shoal's
 * release service (which snapshots, checks the versions and queues automatic deployments).
 */
export function createReleaseV1(ctx: NodeContext): OctopusHandler {
  const { shoal } = ctx;
  return async (req, reply) => {
    const { spaceId, cmd, project } = await projectCommand(shoal, req);
    const channel = cmd.string('ChannelName');
    if (channel && channel.toLowerCase() !== 'default') throw badRequest(`ChannelName: Shoal projects have one channel, Default, not "${channel}"`);
    for (const git of ['GitRef', 'GitCommit', 'GitResources']) cmd.unsupported(git, 'Shoal projects are not stored in Git');
    cmd.unsupported('CustomFields', 'Shoal releases have no custom fields');
    const version = cmd.string('ReleaseVersion')?.trim();
    if (version && cmd.boolean('IgnoreIfAlreadyExists')) {
      const existing = (await listReleases(shoal, spaceId, { projectId: Number(project.id), version, take: 1, skip: 0 })).items[0];
      if (existing) {
        reply.status(200);
        return { ReleaseId: formatId('release', existing.id), ReleaseVersion: existing.version, AutomaticallyDeployedEnvironments: [] };
      }
    }
    const packages = selectedPackages(parseProcess(project.process), cmd.string('PackageVersion'), cmd.strings('Packages'), project.name);
    const { release, queued } = await createRelease(
      shoal,
      actorOf(req),
      spaceId,
      { projectId: formatId('project', project.id), version, packages, notes: cmd.string('ReleaseNotes') },
      { queueExpiryMs: ctx.config.queueExpiryMs },
    );
    if (queued.length) ctx.executor.queueChanged();
    reply.status(201);
    return { ReleaseId: release.id, ReleaseVersion: release.version, AutomaticallyDeployedEnvironments: [] };
  };
}

/** `GET /api/{spaceId}/releases/{id}` to an Octopus client (the Go CLI reads it right after creating one). */
export function getReleaseOctopus(ctx: NodeContext): OctopusHandler {
  return async (req) => {
    const { spaceId, id } = req.params as SpaceParams & { id: string };
    return toOctopusRelease(toRelease(await requireRelease(ctx.shoal, spaceId, requireId('release', id, spaceId))));
  };
}

/** `GET /api/{spaceId}/projects/{id}/releases/{version}`. */
export function projectReleaseByVersion(ctx: NodeContext): OctopusHandler {
  return async (req) => {
    const { spaceId, id, version } = req.params as SpaceParams & { id: string; version: string };
    const project = await requireProjectByIdOrSlug(ctx.shoal, spaceId, id);
    const row = (await listReleases(ctx.shoal, spaceId, { projectId: Number(project.id), version, take: 1, skip: 0 })).items[0];
    if (!row) throw notFound(`There is no release ${version} of ${project.name}.`);
    return toOctopusRelease(toRelease(row));
  };
}
