/**
 * Between a node and the supervisor of one script. The node writes lines to the
 * supervisor's stdin; the supervisor writes lines to its fd 3. The script's own output goes
 * straight to the supervisor's stdout and stderr, which are the node's pipes.
 */

/** The first line the node writes: what to start and how long the lease holds. */
export interface SupervisorSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  /** How long the node's lease holds from now; the script dies when it runs out. */
  leaseMs: number;
  /** Where to record the script's process-group leader (for the node's next start). */
  leaderPidFile: string;
}

/** Node → supervisor, after the spec. */
export const renewLine = (remainingMs: number): string => `renew ${Math.floor(remainingMs)}\n`;
export const stopLine = (graceMs: number): string => `stop ${Math.floor(graceMs)}\n`;

/** Supervisor → node (fd 3). */
export type SupervisorReport =
  | { event: 'started'; pid: number }
  | { event: 'spawn-error'; code: string; message: string }
  | { event: 'exit'; code: number | null; signal: string | null }
  /** The lease ran out or the node went away: the script's process tree was killed. */
  | { event: 'killed'; why: 'lease' | 'node-gone' | 'stop' };
