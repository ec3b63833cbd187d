/** The URI templates Octopus's clients expand (the Go CLI follows them); paths from the host root. */
const TASKS_QUERY = '{?skip,active,environment,tenant,runbook,project,name,node,running,states,hasPendingInterruptions,hasWarningsOrErrors,take,ids,partialName,spaces,includeSystem}';

export function spaceLinks(spaceId: string): Record<string, string> {
  const s = `/api/${encodeURIComponent(spaceId)}`;
  return {
    Self: s,
    SpaceHome: s,
    Projects: `${s}/projects{/id}{?name,skip,ids,clone,take,partialName,clonedFromProjectId}`,
    Releases: `${s}/releases{/id}{?skip,ignoreChannelRules,take,ids}`,
    Channels: `${s}/channels{/id}{?skip,take,ids,partialName}`,
    Tasks: `${s}/tasks{/id}${TASKS_QUERY}`,
    Environments: `${s}/environments{/id}{?name,skip,ids,take,partialName}`,
    Deployments: `${s}/deployments{/id}{?skip,take,ids,projects,environments,tenants,channels,taskState}`,
    PackageUpload: `${s}/packages/raw{?replace,overwriteMode}`,
  };
}

export function rootLinks(defaultSpaceId: string): Record<string, string> {
  return {
    ...spaceLinks(defaultSpaceId),
    Self: '/api',
    Spaces: '/api/spaces{/id}{?skip,ids,take,partialName}',
    SpaceHome: '/api/{spaceId}',
    Tasks: `/api/tasks{/id}${TASKS_QUERY}`,
    CurrentUser: '/api/users/me',
  };
}
