#!/usr/bin/env node
import { existsSync } from 'node:fs';

// Storage calls take at most 4 of libuv's threads (server-core/src/storage/storageIo.ts), so a
// stalled share leaves the rest for DNS, crypto and local files. Set before any thread-pool work.
process.env.UV_THREADPOOL_SIZE ??= '16';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('shoal: server-core is not built; run `npm run build` in the repository first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
