import { badRequest } from '../api/errors.js';
import type { OctopusCommand } from './command.js';

/** A time the command gives (`RunAt`, `NoRunAfter`), parsed leniently (the Go CLI passes the user's text). */
function timeOf(cmd: OctopusCommand, name: string): number | undefined {
  const text = cmd.string(name);
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw badRequest(`${name}: "${text}" is not a date and time`);
  return t;
}

/** Executions start when queued: a `RunAt` up to this far ahead counts as now (clocks differ). */
const RUN_AT_SLACK_MS = 60_000;

/**
 * The fields every Octopus execution command (deploy a release, run a runbook) shares: the
 * environment names it returns; what Shoal cannot do is a 400 that says so.
 */
export function executionOptions(cmd: OctopusCommand): string[] {
  const names = cmd.strings('EnvironmentNames');
  if (!names.length) throw badRequest('EnvironmentNames: name at least one environment');
  cmd.unsupported('UseGuidedFailure', 'Shoal has no guided failure; a failing step fails the run');
  cmd.unsupported('Variables', 'Shoal has no prompted variables; set the values as project variables');
  for (const f of ['SpecificMachineNames', 'ExcludedMachineNames']) cmd.unsupported(f, 'runs go to every target of the step roles');
  cmd.unsupported('SkipStepNames', 'runs take every step');
  cmd.unsupported('Tenants', 'Shoal has no tenants');
  cmd.unsupported('TenantTags', 'Shoal has no tenants');
  const runAt = timeOf(cmd, 'RunAt');
  if (runAt !== undefined && runAt > Date.now() + RUN_AT_SLACK_MS) throw badRequest('RunAt: Shoal does not schedule runs for later; leave RunAt out to start now');
  const noRunAfter = timeOf(cmd, 'NoRunAfter');
  if (noRunAfter !== undefined && noRunAfter < Date.now()) throw badRequest('NoRunAfter: that time has already passed');
  return names;
}
