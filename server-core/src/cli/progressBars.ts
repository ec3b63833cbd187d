import cliProgress from 'cli-progress';
import type { MigrationProgress } from '../migration/migrate.js';

/**
 * Progress for long CLI work: live bars on a terminal, and on a pipe (CI, logs) one line
 * when each item starts and one when it completes, so logs stay readable.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): MigrationProgress & { stop(): void } {
  if (!stream.isTTY) {
    const finished = new Set<string>();
    const line = (label: string, done: number, total: number, unit: string) => {
      if (done === 0 || done < total || finished.has(label)) return;
      finished.add(label);
      stream.write(`  ${label}: ${total} ${unit} done\n`);
    };
    return {
      step: (m) => stream.write(`${m}…\n`),
      rows: (table, done, total) => line(`table ${table}`, done, total, 'rows'),
      files: (kind, done, total) => line(`storage ${kind}`, done, total, 'files'),
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    { stream, format: ' {label} [{bar}] {percentage}% | {value}/{total} {unit}', barsize: 30, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const bar = (label: string, done: number, total: number, unit: string) => {
    let b = bars.get(label);
    if (!b) {
      b = multi.create(Math.max(total, 1), 0, { label: label.padEnd(22), unit });
      bars.set(label, b);
    }
    b.update(total === 0 ? 1 : done);
  };
  return {
    step: (m) => multi.log(`${m}…\n`),
    rows: (table, done, total) => bar(`table ${table}`, done, total, 'rows'),
    files: (kind, done, total) => bar(`storage ${kind}`, done, total, 'files'),
    stop: () => multi.stop(),
  };
}
