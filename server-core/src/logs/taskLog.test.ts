import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { StorageFs } from '../storage/storageFs.js';
import { StoragePool } from '../storage/storageIo.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { followLog, type FollowItem, type FollowOptions } from './followLog.js';
import { CONTINUED_MARK, CONTINUES_MARK, MAX_LINE_BYTES } from './logText.js';
import { TaskLogWriter } from './taskLog.js';

const lineTexts = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\S+ \S+ +/, ''));

async function followAll(file: string, o: Partial<Pick<FollowOptions, 'finalState' | 'storedWhole' | 'chunkBytes' | 'quietMs'>> = {}) {
  const items: FollowItem[] = [];
  for await (const item of followLog({ file, finalState: o.finalState ?? (async () => null), storedWhole: o.storedWhole, signal: new AbortController().signal, chunkBytes: o.chunkBytes, quietMs: o.quietMs, pollMs: 10 })) {
    items.push(item);
  }
  return {
    lines: items.flatMap((i) => ('lines' in i ? i.lines : [])),
    end: items.flatMap((i) => ('end' in i ? [i.end] : [])),
  };
}

/** The storage pool, with its calls counted by operation. */
class CountingPool extends StoragePool {
  readonly ops: string[] = [];
  override call<T>(what: string, op: string, args: unknown[], o?: { timeoutMs?: number; transfer?: ArrayBuffer[] }): Promise<T> {
    this.ops.push(op);
    return super.call(what, op, args, o);
  }
}

describe('task log writer', () => {
  after(() => removeTempDirs());

  it("stores a short task's log in one storage call, and a flushed one in two (a call to a storage thread costs more than the file calls in it)", async () => {
    const dir = makeTempDir('shoal-log-');
    const pool = new CountingPool();
    const short = new TaskLogWriter(path.join(dir, 'ServerTasks-1.log'), { fs: new StorageFs(pool) });
    short.info('started');
    short.info('ended');
    await short.close('Success');
    assert.deepEqual(pool.ops, ['appendOnce']);
    assert.deepEqual(lineTexts(short.file), ['started', 'ended', 'Success']);

    pool.ops.length = 0;
    const flushed = new TaskLogWriter(path.join(dir, 'ServerTasks-2.log'), { fs: new StorageFs(pool) });
    flushed.info('started');
    await flushed.flush();
    flushed.info('ended');
    await flushed.close('Failed');
    assert.deepEqual(pool.ops, ['appendOpen', 'appendClose']);
    assert.deepEqual(lineTexts(flushed.file), ['started', 'ended', 'Failed']);
  });

  it('gives a log none of which was stored whole, ending included, within a size; discarding it writes nothing', async () => {
    const dir = makeTempDir('shoal-log-');
    const pool = new CountingPool();
    const clock = () => Date.UTC(2030, 0, 2, 3, 4, 5, 6);
    const kept = new TaskLogWriter(path.join(dir, 'ServerTasks-1.log'), { fs: new StorageFs(pool), clock });
    kept.info('started');
    assert.equal(
      kept.wholeText('ERROR', 'ended: Failed', 'Failed', 1024),
      '2030-01-02T03:04:05.006Z INFO  started\n2030-01-02T03:04:05.006Z ERROR ended: Failed\n2030-01-02T03:04:05.006Z END   Failed\n',
    );
    assert.equal(kept.wholeText('INFO', 'ended', 'Success', 100), undefined, 'too long');
    kept.discard();
    await kept.close('Success');
    assert.deepEqual(pool.ops, [], 'nothing stored');
    assert.equal(fs.existsSync(kept.file), false);

    const held = new TaskLogWriter(path.join(dir, 'ServerTasks-3.log'), { fs: new StorageFs(pool), flushMs: 10 });
    held.info('started');
    assert.ok(held.wholeText('INFO', 'ended', 'Success', 1024));
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(pool.ops, [], 'a log given whole is held: no timed flush while its outcome is recorded');
    held.discard();

    const flushed = new TaskLogWriter(path.join(dir, 'ServerTasks-2.log'), { fs: new StorageFs(pool) });
    flushed.info('started');
    await flushed.flush();
    assert.equal(flushed.wholeText('INFO', 'ended', 'Success', 1024), undefined, 'part of it is in the file already');
    await flushed.close('Success');
  });

  it('batches lines, stamps them with the clock it is given, and ends with its final line', async () => {
    const file = path.join(makeTempDir('shoal-log-'), 'ServerTasks-1.log');
    const log = new TaskLogWriter(file, { clock: () => Date.UTC(2030, 0, 2, 3, 4, 5, 6) });
    log.info('one');
    log.error('two\nthree');
    assert.equal(fs.existsSync(file), false, 'nothing is written before the first flush');
    await log.close('Success');
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      '2030-01-02T03:04:05.006Z INFO  one\n2030-01-02T03:04:05.006Z ERROR two\n2030-01-02T03:04:05.006Z ERROR three\n2030-01-02T03:04:05.006Z END   Success\n',
    );
  });

  it('flushes within the flush interval while the task runs', async () => {
    const file = path.join(makeTempDir('shoal-log-'), 'ServerTasks-2.log');
    const log = new TaskLogWriter(file, { flushMs: 20 });
    log.info('early');
    for (let i = 0; i < 100 && !(fs.existsSync(file) && lineTexts(file).length); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(lineTexts(file), ['early'], 'the line is stored while the log is still open');
    await log.close('Success');
  });

  it('makes CRs and other control characters into lines and visible characters, so no output forges a line', async () => {
    const file = path.join(makeTempDir('shoal-log-'), 'ServerTasks-3.log');
    const log = new TaskLogWriter(file);
    const out = log.lines('INFO');
    out.push('10%\r20%\r30%\ncolour \u001b[32mgreen\u001b[0m\n\revent: end\r\ndata: {}\n2030-01-01T00:00:00.000Z END   Success\n');
    out.flush();
    await log.close('Failed');
    assert.deepEqual(lineTexts(file), [
      '10%',
      '20%',
      '30%',
      'colour ␛[32mgreen␛[0m',
      '',
      'event: end',
      'data: {}',
      '2030-01-01T00:00:00.000Z END   Success',
      'Failed',
    ]);
    const { lines, end } = await followAll(file);
    assert.deepEqual(end, ['Failed'], 'only the writer’s own final line ends the log');
    assert.equal(lines.length, 8);
  });

  it('writes a 20 MB line without a newline in marked pieces of at most 64 KiB, in linear time', async () => {
    const file = path.join(makeTempDir('shoal-log-'), 'ServerTasks-4.log');
    const log = new TaskLogWriter(file, { highWaterBytes: 64 * 1024 * 1024, limitBytes: 64 * 1024 * 1024 });
    const out = log.lines('INFO');
    const chunk = 'x'.repeat(64 * 1024);
    const total = 20 * 1024 * 1024;
    const t0 = performance.now();
    for (let sent = 0; sent < total; sent += chunk.length) out.push(chunk);
    out.flush();
    const ms = performance.now() - t0;
    await log.close('Success');
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.every((l) => Buffer.byteLength(l) <= MAX_LINE_BYTES + 40), 'every stored line is bounded');
    const texts = lines.slice(0, -1).map((l) => l.replace(/^\S+ INFO {2}/, ''));
    assert.ok(texts.slice(0, -1).every((t) => t.endsWith(CONTINUES_MARK)));
    assert.ok(texts.slice(1).every((t) => t.startsWith(CONTINUED_MARK)));
    const rebuilt = texts.map((t) => t.replace(/^↪ /, '').replace(/ ↩$/, '')).join('');
    assert.equal(rebuilt.length, total, 'no byte is lost');
    process.stderr.write(`20 MiB line without a newline: split into ${texts.length} pieces in ${ms.toFixed(0)} ms\n`);
  });

  it('a write that fails (no space) fails the log once with the folder named, and cuts no line in half', async () => {
    const dir = makeTempDir('shoal-log-');
    const file = path.join(dir, 'ServerTasks-5.log');
    // /dev/full answers every write with ENOSPC: the real errno of a full disk.
    fs.symlinkSync('/dev/full', file);
    const log = new TaskLogWriter(file);
    const failures: string[] = [];
    log.onFailure((err) => failures.push(err.message));
    log.info('a line that cannot be stored');
    await log.close('Success');
    assert.deepEqual(failures, [`task log storage is full at ${dir}`]);
    assert.ok(log.failure);
  });
});

describe('following a task log', () => {
  after(() => removeTempDirs());

  it('reads in bounded chunks, ids are byte offsets, and stops at the final line', async () => {
    const file = path.join(makeTempDir('shoal-follow-'), 'a.log');
    const log = new TaskLogWriter(file);
    for (let i = 0; i < 500; i++) log.info(`line ${i} ${'é'.repeat(i % 7)}`);
    await log.close('Success');
    const { lines, end } = await followAll(file, { chunkBytes: 100 });
    assert.equal(lines.length, 500);
    assert.deepEqual(end, ['Success']);
    const bytes = fs.readFileSync(file);
    for (const l of [lines[0]!, lines[250]!, lines[499]!]) assert.equal(bytes[l.end - 1], 10, 'an id is the offset just after a newline');
  });

  it('reads the log stored whole once the task has ended, with or without a file of its first lines', async () => {
    const dir = makeTempDir('shoal-follow-');
    const whole = '2030-01-01T00:00:00.000Z INFO  one\n2030-01-01T00:00:00.000Z INFO  two\n2030-01-01T00:00:00.000Z END   Success\n';
    const withFile = path.join(dir, 'c.log');
    fs.writeFileSync(withFile, whole.slice(0, whole.indexOf('\n') + 1)); // an outcome whose answer was lost: its first lines
    for (const file of [path.join(dir, 'none.log'), withFile]) {
      const started = Date.now();
      const { lines, end } = await followAll(file, { finalState: async () => 'Success', storedWhole: async () => whole, quietMs: 5000 });
      assert.deepEqual(lines.map((l) => l.text.replace(/^\S+ INFO {2}/, '')), ['one', 'two'], file);
      assert.deepEqual(lines.map((l) => l.end), [35, 70], 'ids are byte offsets, as in a file');
      assert.deepEqual(end, ['Success']);
      assert.ok(Date.now() - started < 2000, 'ends at its final line, not after the quiet wait');
    }
  });

  it('follows lines as they are written and ends a log whose writer died once the task has ended', async () => {
    const file = path.join(makeTempDir('shoal-follow-'), 'b.log');
    fs.writeFileSync(file, '2030-01-01T00:00:00.000Z INFO  before\n');
    let state: string | null = null;
    const following = followAll(file, { finalState: async () => state, quietMs: 200 });
    await new Promise((r) => setTimeout(r, 100));
    fs.appendFileSync(file, '2030-01-01T00:00:00.000Z INFO  after\n2030-01-01T00:00:00.000Z INFO  half');
    await new Promise((r) => setTimeout(r, 100));
    state = 'Failed';
    const { lines, end } = await following;
    assert.deepEqual(lines.map((l) => l.text.replace(/^\S+ INFO {2}/, '')), ['before', 'after', 'half']);
    assert.deepEqual(end, ['Failed']);
  });
});
