import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseLogLine } from '../activities/logTags.js';
import { activityEndpoints } from '../contract/activities.js';
import { deploymentEndpoints } from '../contract/deployments.js';
import { environmentEndpoints } from '../contract/environments.js';
import { endpointUrl } from '../contract/endpoint.js';
import { projectEndpoints, type Project } from '../contract/projects.js';
import { releaseEndpoints } from '../contract/releases.js';
import { taskEndpoints } from '../contract/tasks.js';
import { ServerApi, serverUrl } from './serverApi.js';

interface Common {
  server: string;
  apiKey: string;
  space: string;
}

const common = (cmd: Command) =>
  cmd
    .requiredOption('--server <url>', 'a Shoal node or the load balancer in front of the cluster', serverUrl)
    .addOption(new Option('--api-key <key>', 'an API key (shoal api-key create)').env('SHOAL_API_KEY').makeOptionMandatory())
    .option('--space <id>', 'the space', 'Spaces-1');

function stepVersion(v: string, previous: string[] = []): string[] {
  const i = v.lastIndexOf(':');
  if (i <= 0 || i === v.length - 1) throw new InvalidArgumentError('must be STEP:VERSION, like "Deploy web:1.2.3".');
  return [...previous, v];
}

/** A project by id (`Projects-3`) or by name. */
async function findProject(api: ServerApi, o: Common, ref: string): Promise<Project> {
  if (/^Projects-\d+$/i.test(ref)) return api.call(projectEndpoints.getProject, { params: { spaceId: o.space, id: ref } });
  const page = await api.call(projectEndpoints.listProjects, { params: { spaceId: o.space }, query: { name: ref } });
  if (!page.items.length) throw new Error(`there is no project named ${ref} in ${o.space}`);
  return page.items[0]!;
}

/** `shoal release create` and `shoal deploy`: what a build server runs after pushing its package. */
export function registerReleaseAndDeploy(program: Command): void {
  const release = program.command('release').description('releases of a project');
  common(
    release
      .command('create')
      .description("create a release: a snapshot of the project's process, variables and package versions")
      .requiredOption('--project <name>', 'the project (name or id)')
      .option('--version <version>', "the release's version (default: the last one with its last number incremented)")
      .option('--package <step:version>', 'the package version for a DeployPackage step (repeatable; default: the latest)', stepVersion)
      .option('--notes <text>', 'release notes'),
  ).action(async (o: Common & { project: string; version?: string; package?: string[]; notes?: string }) => {
    const api = new ServerApi(o.server, o.apiKey);
    const project = await findProject(api, o, o.project);
    const packages = Object.fromEntries((o.package ?? []).map((p) => [p.slice(0, p.lastIndexOf(':')), p.slice(p.lastIndexOf(':') + 1)]));
    const created = await api.call(releaseEndpoints.createRelease, {
      params: { spaceId: o.space },
      body: {
        projectId: project.id,
        ...(o.version ? { version: o.version } : {}),
        ...(o.package ? { packages } : {}),
        ...(o.notes ? { notes: o.notes } : {}),
      },
    });
    process.stderr.write(`Created release ${created.version} of ${project.name} (${created.id})${created.packages.map((p) => `; ${p.stepName}: ${p.packageId} ${p.version}`).join('')}\n`);
    process.stdout.write(`${JSON.stringify(created)}\n`);
  });

  common(
    program
      .command('deploy')
      .description('deploy a release of a project to an environment; with --wait, stream its log and exit non-zero when it fails')
      .requiredOption('--project <name>', 'the project (name or id)')
      .requiredOption('--release <version>', 'the release version')
      .requiredOption('--environment <name>', 'the environment (name or id)')
      .option('--comments <text>', 'comments recorded with the deployment')
      .option('--wait', 'stream the deployment log until it ends; exit 1 unless it succeeded', false),
  ).action(async (o: Common & { project: string; release: string; environment: string; comments?: string; wait: boolean }) => {
    const api = new ServerApi(o.server, o.apiKey);
    const project = await findProject(api, o, o.project);
    const releases = await api.call(releaseEndpoints.listReleases, { params: { spaceId: o.space }, query: { projectId: project.id, version: o.release } });
    if (!releases.items.length) throw new Error(`${project.name} has no release ${o.release}`);
    const environments = await api.call(environmentEndpoints.listEnvironments, { params: { spaceId: o.space } });
    const env = environments.find((e) => e.id.toLowerCase() === o.environment.toLowerCase() || e.name.toLowerCase() === o.environment.toLowerCase());
    if (!env) throw new Error(`there is no environment ${o.environment} in ${o.space}`);
    const deployment = await api.call(deploymentEndpoints.createDeployment, {
      params: { spaceId: o.space },
      body: { releaseId: releases.items[0]!.id, environmentId: env.id, ...(o.comments ? { comments: o.comments } : {}) },
    });
    process.stderr.write(`Queued ${deployment.id} (${deployment.taskId}): ${project.name} ${o.release} to ${env.name}\n`);
    process.stdout.write(`${JSON.stringify(deployment)}\n`);
    if (!o.wait) return;
    const state = await streamLog(api, deployment.taskId);
    if (state !== 'Success') {
      const task = await api.call(taskEndpoints.getTask, { params: { id: deployment.taskId } });
      throw new Error(`${deployment.id} ended ${state}${task.errorMessage ? `: ${task.errorMessage}` : ''}`);
    }
    process.stderr.write(`${deployment.id} succeeded.\n`);
  });
}

/**
 * Follows a task's log (text/event-stream) to its end, printing each line with the step it
 * belongs to. Reconnects from the last line seen if the connection drops. Returns the final state.
 */
async function streamLog(api: ServerApi, taskId: string): Promise<string> {
  const names = new Map<number, string>();
  const nameOf = async (activity: number) => {
    if (!names.has(activity)) {
      const d = await api.call(activityEndpoints.taskDetails, { params: { id: taskId }, query: { tail: 0 } });
      for (const s of d.activities) {
        names.set(Number(s.id.split('-')[1]), s.name);
        for (const c of s.children) names.set(Number(c.id.split('-')[1]), `${s.name} / ${c.name}`);
      }
    }
    return names.get(activity) ?? `activity ${activity}`;
  };
  let lastId = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    let res: Response;
    try {
      res = await fetch(api.url(endpointUrl(taskEndpoints.taskLog, { id: taskId })), { headers: { 'x-api-key': api.apiKey, accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) } });
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    if (!res.ok || !res.body) throw new Error(`GET /api/tasks/${taskId}/log answered ${res.status}`);
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let at: number;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
            else if (line.startsWith('id: ')) lastId = line.slice(4);
          }
          if (event === 'end') return (JSON.parse(data) as { state: string }).state;
          if (!data) continue;
          const l = parseLogLine(data);
          const where = l.activityId === null ? '' : `[${await nameOf(l.activityId)}] `;
          process.stdout.write(`${l.time ?? ''} ${l.level.padEnd(5)} ${where}${l.text}\n`);
        }
      }
    } catch {
      // the connection dropped: resume from the last line
    }
  }
  throw new Error(`lost the log stream of ${taskId}; see GET /api/tasks/${taskId}`);
}
