import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { walkFiles } from '../storage/walkFiles.js';
import type { RunAsUser } from './runAsUser.js';

/** Makes a task's work folder the run-as account's own (0700), everything in it included. */
export function giveToRunAsUser(folder: string, user: RunAsUser): void {
  fs.chmodSync(folder, 0o700);
  for (const p of [folder, ...fs.readdirSync(folder).map((e) => path.join(folder, e))]) fs.chownSync(p, user.uid, user.gid);
}

/**
 * Copies the regular files a script left in `from` into the task's artifacts folder.
 * Symlinks are never followed (the script's account could point one at a file only the
 * node may read), and each file is opened with O_NOFOLLOW so a swap after the walk fails.
 */
export async function collectArtifacts(from: string, to: string): Promise<void> {
  for (const f of walkFiles(from)) {
    const dest = path.join(to, ...f.relative.split('/'));
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    const src = await fs.promises.open(f.full, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    try {
      await pipeline(src.createReadStream(), fs.createWriteStream(dest, { mode: 0o640 }));
    } finally {
      await src.close().catch(() => {});
    }
  }
}
