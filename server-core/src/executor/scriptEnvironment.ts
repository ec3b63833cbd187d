/**
 * The environment a script starts with: an allow-list of the node's variables that a
 * script needs to behave like any shell command (where programs are, the locale, the
 * temp folder), plus the task's own values. Never the node's configuration or secrets
 * (SHOAL_MASTER_KEY, SHOAL_ADMIN_PASSWORD, the database URL…), whatever else is set.
 */
const PASSED = new Set(['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TMPDIR', 'TZ', 'TERM', 'USER', 'LOGNAME', 'SHELL']);
/** What Windows programs expect to find (cmd.exe, PowerShell, installers). */
const PASSED_ON_WINDOWS = new Set([
  'SYSTEMROOT', 'SYSTEMDRIVE', 'WINDIR', 'COMSPEC', 'PATHEXT', 'TEMP', 'TMP', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA',
  'PROGRAMDATA', 'PROGRAMFILES', 'PROGRAMFILES(X86)', 'COMMONPROGRAMFILES', 'NUMBER_OF_PROCESSORS', 'PROCESSOR_ARCHITECTURE', 'PSMODULEPATH', 'USERNAME',
]);

export interface ScriptUser {
  name: string;
  home: string;
}

export function scriptEnvironment(
  nodeEnv: NodeJS.ProcessEnv,
  task: Record<string, string>,
  runAs?: ScriptUser,
  platform: NodeJS.Platform = process.platform,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(nodeEnv)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    if (PASSED.has(upper) || upper.startsWith('LC_') || (platform === 'win32' && PASSED_ON_WINDOWS.has(upper))) env[name] = value;
  }
  if (runAs) Object.assign(env, { HOME: runAs.home, USER: runAs.name, LOGNAME: runAs.name });
  return { ...env, ...task };
}
