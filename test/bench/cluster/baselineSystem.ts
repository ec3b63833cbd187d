/** The queue libraries the cluster benchmark compares Shoal with (see baselineWorker.ts). */
export type BaselineSystem = 'pg-boss-work' | 'pg-boss-fetch' | 'graphile-worker' | 'graphile-worker-logged';

/** graphile-worker's runner, bare or with a log file per job. */
export const isGraphileWorker = (s: string): boolean => s.startsWith('graphile-worker');
