import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePackageFileName } from './fileName.js';
import { compareVersionText, parseVersion, versionKey } from './version.js';
import { parseRange } from '../api/range.js';

describe('package file names', () => {
  it('splits id and SemVer 2 version for every supported extension', () => {
    const cases: [string, string, string, string][] = [
      ['Acme.Web.1.2.3.nupkg', 'Acme.Web', '1.2.3', '.nupkg'],
      ['acme.1.2.3.zip', 'acme', '1.2.3', '.zip'],
      ['acme-api.10.0.1-beta.2+sha.5114f85.tar.gz', 'acme-api', '10.0.1-beta.2+sha.5114f85', '.tar.gz'],
      ['Lib2.Tools.0.0.1-rc.1.tgz', 'Lib2.Tools', '0.0.1-rc.1', '.tgz'],
      ['Foo.2.Bar.1.0.0.zip', 'Foo.2.Bar', '1.0.0', '.zip'],
      ['Foo.1.2.3.4.nupkg', 'Foo', '1.2.3.4', '.nupkg'],
    ];
    for (const [file, id, version, ext] of cases) {
      const p = parsePackageFileName(file);
      assert.deepEqual([p.packageId, p.version.text, p.extension], [id, version, ext], file);
    }
  });

  it('refuses names that leave the folder, hold NUL, or that Windows reserves', () => {
    for (const bad of [
      '../evil.1.0.0.zip', '..\\evil.1.0.0.zip', 'a/b.1.0.0.zip', '/etc/x.1.0.0.zip', 'x.1.0.0.zip\0.txt', 'evil..1.0.0.zip',
      'CON.1.0.0.zip', 'nul.1.0.0.nupkg', 'com1.1.0.0.zip', 'LPT9.Tools.1.0.0.zip', 'C:x.1.0.0.zip', '.hidden.1.0.0.zip',
      'noversion.zip', 'x.1.0.zip', 'x.01.0.0.zip', 'x.1.0.0-beta.01.zip', 'x.1.0.0.exe', '', 'x.1.0.0.zip ',
    ]) {
      assert.throws(() => parsePackageFileName(bad), Error, JSON.stringify(bad));
    }
  });

  it('one version whatever the build metadata, case or trailing .0', () => {
    const k = (v: string) => versionKey(parseVersion(v)!);
    assert.equal(k('1.0.0+a'), k('1.0.0+b'));
    assert.equal(k('1.0.0.0'), k('1.0.0'));
    assert.equal(k('1.0.0-Beta'), k('1.0.0-beta'));
    assert.notEqual(k('1.0.0.1'), k('1.0.0'));
  });

  it('orders versions by SemVer precedence', () => {
    const sorted = ['1.0.0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0-alpha.beta', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-rc.1', '2.0.0', '1.10.0', '1.2.0']
      .sort(compareVersionText);
    assert.deepEqual(sorted, ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0', '2.0.0']);
  });
});

describe('Range headers', () => {
  it('parses single ranges and refuses unsatisfiable ones', () => {
    assert.equal(parseRange(undefined, 10), undefined);
    assert.deepEqual(parseRange('bytes=0-3', 10), { start: 0, end: 3 });
    assert.deepEqual(parseRange('bytes=5-', 10), { start: 5, end: 9 });
    assert.deepEqual(parseRange('bytes=-4', 10), { start: 6, end: 9 });
    assert.deepEqual(parseRange('bytes=8-100', 10), { start: 8, end: 9 });
    assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1,3-4', 10), undefined);
    assert.equal(parseRange('items=0-1', 10), undefined);
  });
});
