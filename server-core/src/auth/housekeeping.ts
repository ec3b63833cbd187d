import type { Logger } from 'pino';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { LoginThrottle } from './loginThrottle.js';
import { purgeSessions } from './sessions.js';

const EVERY_MS = 10 * 60 * 1000;

/** Removes expired and idle sessions and old login failures, every ten minutes; any node may. */
export function startAuthHousekeeping(shoal: ShoalDb, logger: Logger): { stop(): void } {
  const throttle = new LoginThrottle(shoal);
  const run = () => {
    Promise.all([purgeSessions(shoal), throttle.purge()]).catch((err) => logger.warn({ err: (err as Error).message }, 'could not purge old sessions'));
  };
  run();
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
