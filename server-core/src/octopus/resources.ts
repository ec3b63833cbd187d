import type { Deployment } from '../contract/deployments.js';
import type { Environment } from '../contract/environments.js';
import type { Project } from '../contract/projects.js';
import type { Release } from '../contract/releases.js';
import type { Task } from '../contract/tasks.js';
import { isFinal } from '../queue/states.js';
import { slugOf } from './lookup.js';

/** Shoal's resources in Octopus's shapes (PascalCase, RFC 3339 times, Octopus's field names). */

export const toOctopusEnvironment = (e: Environment) => ({
  Id: e.id,
  SpaceId: e.spaceId,
  Name: e.name,
  Slug: slugOf(e.name),
  Description: e.description,
  SortOrder: e.sortOrder,
  UseGuidedFailure: false,
  AllowDynamicInfrastructure: false,
  Links: { Self: `/api/${e.spaceId}/environments/${e.id}` },
});

/** The Go CLI needs `LifecycleId`, `ProjectGroupId` and `PersistenceSettings.Type` (Database: not stored in Git). */
export const toOctopusProject = (p: Project) => ({
  Id: p.id,
  SpaceId: p.spaceId,
  Name: p.name,
  Slug: slugOf(p.name),
  Description: p.description,
  LifecycleId: p.lifecycleId,
  ProjectGroupId: 'ProjectGroups-1',
  IncludedLibraryVariableSetIds: p.libraryVariableSetIds,
  IsDisabled: false,
  IsVersionControlled: false,
  TenantedDeploymentMode: 'Untenanted',
  PersistenceSettings: { Type: 'Database' },
  Links: { Self: `/api/${p.spaceId}/projects/${p.id}`, Releases: `/api/${p.spaceId}/projects/${p.id}/releases{/version}` },
});

export const toOctopusRelease = (r: Release) => ({
  Id: r.id,
  SpaceId: r.spaceId,
  ProjectId: r.projectId,
  ChannelId: null,
  Version: r.version,
  ReleaseNotes: r.notes,
  Assembled: r.createdAt,
  IgnoreChannelRules: false,
  SelectedPackages: r.packages.map((p) => ({ ActionName: p.stepName, PackageReferenceName: p.packageId, Version: p.version })),
  Links: { Self: `/api/${r.spaceId}/releases/${r.id}` },
});

export const toOctopusDeployment = (d: Deployment) => ({
  Id: d.id,
  SpaceId: d.spaceId,
  ProjectId: d.projectId,
  ReleaseId: d.releaseId,
  EnvironmentId: d.environmentId,
  TaskId: d.taskId,
  ChannelId: null,
  TenantId: null,
  Name: `Deploy to ${d.environmentName}`,
  Comments: d.comments,
  Created: d.createdAt,
  Links: { Self: `/api/${d.spaceId}/deployments/${d.id}`, Task: `/api/tasks/${d.taskId}`, Release: `/api/${d.spaceId}/releases/${d.releaseId}` },
});

/**
 * A task as both Octopus clients read it: the TS waiter ends on `IsCompleted` and judges by
 * `State`; the Go CLI judges by `FinishedSuccessfully` (always a boolean: null counts as success there).
 */
export function toOctopusTask(t: Task) {
  const completed = isFinal(t.state);
  const last = t.completedTime ?? t.startTime ?? t.queueTime;
  return {
    Id: t.id,
    SpaceId: 'Spaces-1',
    Name: t.kind,
    Description: t.description,
    Arguments: {},
    State: t.state,
    Completed: t.completedTime ?? '',
    QueueTime: t.queueTime,
    QueueTimeExpiry: null,
    StartTime: t.startTime,
    LastUpdatedTime: last,
    CompletedTime: t.completedTime,
    Duration: t.startTime ? `${Math.round(((t.completedTime ? Date.parse(t.completedTime) : Date.now()) - Date.parse(t.startTime)) / 1000)} seconds` : '',
    ErrorMessage: t.errorMessage ?? '',
    HasBeenPickedUpByProcessor: t.startTime !== null,
    IsCompleted: completed,
    FinishedSuccessfully: t.state === 'Success',
    HasPendingInterruptions: false,
    HasWarningsOrErrors: t.state === 'Failed',
    CanRerun: false,
    Links: { Self: `/api/tasks/${t.id}` },
  };
}
