import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import type { Logger } from 'pino';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { Heartbeat, STALL_WARN_MS } from './heartbeat.js';
import { Lease } from './lease.js';

/** A logger that keeps its warnings. */
function recordingLogger() {
  const warnings: { fields: Record<string, number>; msg: string }[] = [];
  const logger = { warn: (fields: Record<string, number>, msg: string) => warnings.push({ fields, msg }), info() {}, error() {} } as unknown as Logger;
  return { logger, warnings };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the heartbeat watchdog', () => {
  it('says when the node itself did not run (its event loop blocked), and for how long', async () => {
    const { logger, warnings } = recordingLogger();
    // No beat is due during the test: only the watchdog runs.
    const hb = new Heartbeat({ shoal: {} as ShoalDb, nodeName: 'n', nodeId: 'id', lease: new Lease(), logger, intervalMs: 3_600_000 });
    hb.start();
    try {
      await sleep(300);
      assert.equal(warnings.length, 0, `a node that runs says nothing: ${JSON.stringify(warnings)}`);
      const blockMs = STALL_WARN_MS + 500;
      const until = performance.now() + blockMs;
      while (performance.now() < until) {
        /* the event loop is blocked, as by a long synchronous job */
      }
      await sleep(300);
      const stalls = warnings.filter((w) => /did not run for a while/.test(w.msg));
      assert.equal(stalls.length, 1, JSON.stringify(warnings));
      assert.ok(stalls[0]!.fields.stalledMs! >= blockMs - 150, `stalled ${stalls[0]!.fields.stalledMs} ms, blocked ${blockMs}`);
    } finally {
      hb.stop();
    }
  });
});
