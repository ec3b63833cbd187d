import type { TaskKind } from '../../../server-core/src/executor/taskKind.js';

export const HOLD_KIND = 'BenchHold';

/**
 * A task kind only the benchmark registers: it keeps its slot for `arguments.ms`, or until
 * the node stops it. Busy nodes without child processes, for the kill -9 measurement.
 */
export const holdKind: TaskKind = {
  name: HOLD_KIND,
  permission: 'read',
  parseArguments: (args) => (typeof args.ms === 'number' && args.ms >= 0 ? { description: `benchmark hold ${args.ms} ms` } : { error: 'arguments.ms: a number of milliseconds' }),
  run: ({ args, signal }) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(resolve, args.ms as number);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      }, { once: true });
    }),
};
