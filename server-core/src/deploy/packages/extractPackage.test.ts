/** Packages are extracted whole or not at all: nothing may land outside the install folder. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import * as tar from 'tar';
import yazl from 'yazl';
import { makeTempDir, removeTempDirs } from '../../testing/tempDir.js';
import { extractPackage } from './extractPackage.js';
import { globToRegExp } from './globs.js';

after(removeTempDirs);

type ZipEntry = { name: string; content?: string; mode?: number };

async function zipFile(dir: string, name: string, entries: ZipEntry[]): Promise<string> {
  const z = new yazl.ZipFile();
  for (const e of entries) {
    if (e.name.endsWith('/')) z.addEmptyDirectory(e.name);
    else z.addBuffer(Buffer.from(e.content ?? ''), e.name, { mode: e.mode ?? 0o100644 });
  }
  z.end();
  const file = path.join(dir, name);
  await new Promise((resolve, reject) => z.outputStream.pipe(fs.createWriteStream(file)).on('close', () => resolve(undefined)).on('error', reject));
  return file;
}

/** yazl refuses unsafe names itself, so a hostile zip gets its name patched in the bytes afterwards. */
async function zipWithRawName(dir: string, safe: string, hostile: string): Promise<string> {
  assert.equal(safe.length, hostile.length);
  const file = await zipFile(dir, 'hostile.zip', [{ name: 'ok.txt', content: 'fine' }, { name: safe, content: 'pwned' }]);
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(file, Buffer.from(bytes.toString('latin1').split(safe).join(hostile), 'latin1'));
  return file;
}

const listing = (root: string) => (fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]).sort() : []);

describe('package extraction', () => {
  it('extracts a zip with folders, keeping execute bits', async () => {
    const dir = makeTempDir();
    const file = await zipFile(dir, 'App.1.0.0.zip', [
      { name: 'Deploy.sh', content: 'echo hi', mode: 0o100755 },
      { name: 'config/app.config', content: 'a=#{A}' },
      { name: 'empty/' },
    ]);
    const out = path.join(dir, 'out');
    assert.equal(await extractPackage(file, '.zip', out), 2);
    assert.deepEqual(listing(out), ['Deploy.sh', 'config', 'config/app.config', 'empty']);
    assert.equal(fs.statSync(path.join(out, 'Deploy.sh')).mode & 0o111, 0o111);
    assert.equal(fs.readFileSync(path.join(out, 'config/app.config'), 'utf8'), 'a=#{A}');
  });

  it('leaves NuGet bookkeeping out of a .nupkg', async () => {
    const dir = makeTempDir();
    const file = await zipFile(dir, 'App.1.0.0.nupkg', [
      { name: '[Content_Types].xml', content: '<x/>' },
      { name: '_rels/.rels', content: '<x/>' },
      { name: 'package/services/metadata/core-properties/1.psmdcp', content: '<x/>' },
      { name: 'App.nuspec', content: '<x/>' },
      { name: 'lib/app.dll', content: 'MZ' },
    ]);
    const out = path.join(dir, 'out');
    await extractPackage(file, '.nupkg', out);
    assert.deepEqual(listing(out), ['lib', 'lib/app.dll']);
  });

  it('extracts a .tar.gz with a symlink that stays inside', async () => {
    const dir = makeTempDir();
    const src = path.join(dir, 'src');
    fs.mkdirSync(path.join(src, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(src, 'bin', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.symlinkSync('bin/tool', path.join(src, 'tool'));
    const file = path.join(dir, 'App.1.0.0.tar.gz');
    await tar.c({ gzip: true, file, cwd: src }, ['bin', 'tool']);
    const out = path.join(dir, 'out');
    await extractPackage(file, '.tar.gz', out);
    assert.equal(fs.readlinkSync(path.join(out, 'tool')), 'bin/tool');
    assert.equal(fs.statSync(path.join(out, 'bin', 'tool')).mode & 0o100, 0o100);
  });

  const refused: [string, (dir: string) => Promise<[string, string]>, RegExp][] = [
    ['a zip entry with ..', async (dir) => [await zipWithRawName(dir, 'xx/evil.txt', '../evil.txt'), '.zip'], /leaves the install folder|invalid relative path/],
    ['a zip entry with an absolute path', async (dir) => [await zipWithRawName(dir, 'tmp/evil.txt', '/tmp/evil.tx'), '.zip'], /absolute path/],
    ['a zip symlink pointing out', async (dir) => [await zipFile(dir, 'l.zip', [{ name: 'link', content: '../../etc', mode: 0o120777 }]), '.zip'], /outside the install folder/],
    ['a zip entry written through its own symlink', async (dir) => [await zipFile(dir, 'l2.zip', [{ name: 'sub', content: '.', mode: 0o120777 }, { name: 'sub/x.txt', content: 'x' }]), '.zip'], /through the symlink/],
    [
      'a tar entry with ..',
      async (dir) => {
        fs.writeFileSync(path.join(dir, 'outside.txt'), 'x');
        const cwd = path.join(dir, 'cwd');
        fs.mkdirSync(cwd);
        const file = path.join(dir, 'evil.tgz');
        await tar.c({ gzip: true, file, cwd, preservePaths: true }, ['../outside.txt']);
        return [file, '.tgz'];
      },
      /leaves the install folder/,
    ],
    [
      'a tar symlink to an absolute path',
      async (dir) => {
        const src = path.join(dir, 's');
        fs.mkdirSync(src);
        fs.symlinkSync('/etc', path.join(src, 'etc'));
        const file = path.join(dir, 'abs.tar.gz');
        await tar.c({ gzip: true, file, cwd: src }, ['etc']);
        return [file, '.tar.gz'];
      },
      /outside the install folder/,
    ],
  ];
  for (const [what, make, message] of refused) {
    it(`refuses ${what}, writing nothing`, async () => {
      const dir = makeTempDir();
      const [file, ext] = await make(dir);
      const out = path.join(dir, 'out');
      await assert.rejects(extractPackage(file, ext, out), message);
      assert.deepEqual(listing(out), []);
      assert.equal(fs.existsSync(path.join(dir, 'evil.txt')), false);
    });
  }

  it('will not write through a symlink an earlier deployment left in the install folder', async () => {
    const dir = makeTempDir();
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.mkdirSync(path.join(dir, 'elsewhere'));
    fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(out, 'config'));
    const file = await zipFile(dir, 'App.zip', [{ name: 'config/app.config', content: 'x' }]);
    await assert.rejects(extractPackage(file, '.zip', out), /outside the install folder/);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'elsewhere')), []);
  });

  it('matches substitution globs within and across folders', () => {
    assert.ok(globToRegExp('*.config').test('app.config'));
    assert.ok(!globToRegExp('*.config').test('sub/app.config'));
    assert.ok(globToRegExp('**/*.config').test('app.config'));
    assert.ok(globToRegExp('**/*.config').test('a/b/app.config'));
    assert.ok(globToRegExp('config/?.json').test('config/a.json'));
    assert.ok(!globToRegExp('config/?.json').test('config/ab.json'));
  });
});
