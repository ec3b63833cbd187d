/**
 * The code of a storage worker thread (run with `eval`, so it needs no build step of its
 * own): it makes one synchronous file-system call per message and answers with the result
 * or the error's message and code. Blocking here blocks only this thread. It loads Node's
 * modules with process.getBuiltinModule, not require: an eval worker inherits the process's
 * flags, and under `--input-type=module` (a node started with `-e` as an ES module) its source
 * is an ES module, where require does not exist.
 */
export const STORAGE_WORKER_SOURCE = `
const fs = process.getBuiltinModule('node:fs');
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const stat = (s) => ({ size: s.size, mtimeMs: s.mtimeMs, isFile: s.isFile(), isDirectory: s.isDirectory(), dev: s.dev });
const writeAll = (fd, data) => {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < buf.length; ) at += fs.writeSync(fd, buf, at, buf.length - at);
};
// Runs work on an open file; when it fails, cuts the file back to size and closes it. (A
// close that fails is not retried: the fd is gone either way, and another thread may reuse it.)
const guarded = (fd, size, work) => {
  try {
    work();
  } catch (err) {
    try { fs.ftruncateSync(fd, size); } catch {}
    try { fs.closeSync(fd); } catch {}
    throw err;
  }
};
const ops = {
  stat: (p) => stat(fs.statSync(p)),
  fstat: (fd) => stat(fs.fstatSync(fd)),
  realpath: (p) => fs.realpathSync(p),
  statfs: (p) => {
    const s = fs.statfsSync(p);
    return { type: s.type, bsize: s.bsize, blocks: s.blocks, bavail: s.bavail };
  },
  writableStatfs: (p) => {
    fs.accessSync(p, fs.constants.W_OK);
    return ops.statfs(p);
  },
  mkdir: (p, recursive) => void fs.mkdirSync(p, { recursive }),
  readFile: (p) => fs.readFileSync(p),
  writeFile: (p, data, flag) => {
    const fd = fs.openSync(p, flag);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  rm: (p, recursive) => fs.rmSync(p, { force: true, recursive }),
  unlink: (p) => fs.unlinkSync(p),
  rename: (a, b) => fs.renameSync(a, b),
  link: (a, b) => fs.linkSync(a, b),
  readdir: (p) => fs.readdirSync(p, { withFileTypes: true }).map((e) => ({ name: e.name, isFile: e.isFile(), isDirectory: e.isDirectory() })),
  open: (p, flags) => fs.openSync(p, flags),
  read: (fd, length, position) => {
    const buf = Buffer.allocUnsafeSlow(length);
    const n = fs.readSync(fd, buf, 0, length, position);
    return n === length ? buf : Buffer.from(buf.subarray(0, n));
  },
  write: (fd, data) => {
    writeAll(fd, data);
    // Handed back: this thread allocates too little to collect its garbage often, the caller's does.
    return data;
  },
  // A task log's batches, each one call (a round trip to this thread costs more than the
  // file-system calls themselves): open to append and write the first batch; write the last
  // batch, flush and close; or both at once. A failed write is cut back to the bytes before
  // it, and a file this call opened is closed, so no half line stays visible and no fd leaks.
  appendOpen: (p, data) => {
    const fd = fs.openSync(p, 'a');
    const size = fs.fstatSync(fd).size;
    guarded(fd, size, () => writeAll(fd, data));
    return { fd, size };
  },
  appendClose: (fd, data, size, sync) => {
    guarded(fd, size, () => {
      if (data) writeAll(fd, data);
      if (sync) fs.fsyncSync(fd);
    });
    fs.closeSync(fd);
  },
  appendOnce: (p, data, sync) => {
    const { fd, size } = ops.appendOpen(p, data);
    ops.appendClose(fd, null, size, sync);
  },
  fsync: (fd) => fs.fsyncSync(fd),
  ftruncate: (fd, length) => fs.ftruncateSync(fd, length),
  close: (fd) => fs.closeSync(fd),
};
parentPort.on('message', ({ id, op, args }) => {
  try {
    const value = ops[op](...args);
    // Bytes read go back without a copy: their memory is handed over, not cloned.
    const own = value instanceof Uint8Array && value.byteOffset === 0 && value.buffer.byteLength === value.byteLength;
    parentPort.postMessage({ id, value }, own ? [value.buffer] : []);
  } catch (err) {
    parentPort.postMessage({ id, error: { message: err.message, code: err.code } });
  }
});
`;
