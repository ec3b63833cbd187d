import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { PushError, pushPackage } from '../packages/push/pushPackage.js';
import { serverUrl } from './serverApi.js';

function existingFile(v: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(v);
  } catch {
    throw new InvalidArgumentError(`${v} does not exist.`);
  }
  if (!st.isFile()) throw new InvalidArgumentError(`${v} is not a file.`);
  return v;
}

const mib = (n: number) => (n / 1024 / 1024).toFixed(1);

/** `shoal package push FILE --server URL --api-key KEY [--replace]`: for build servers. */
export function registerPackage(program: Command): void {
  const pkg = program.command('package').description('the built-in package repository');
  pkg
    .command('push')
    .description('upload a package (Id.1.2.3.nupkg, .zip, .tar.gz, .tgz) to the built-in repository, streamed, any size')
    .argument('<file>', 'the package file; its name gives the package id and version', existingFile)
    .requiredOption('--server <url>', 'a Shoal node or the load balancer in front of the cluster', serverUrl)
    .addOption(new Option('--api-key <key>', 'an API key (shoal api-key create)').env('SHOAL_API_KEY').makeOptionMandatory())
    .option('--space <id>', 'the space to push to', 'Spaces-1')
    .option('--replace', 'replace the version if it exists (otherwise that is an error)', false)
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, flags: { server: string; apiKey: string; space: string; replace: boolean; progress: boolean }) => {
      const size = fs.statSync(file).size;
      const bar =
        flags.progress && process.stderr.isTTY
          ? new cliProgress.SingleBar(
              {
                stream: process.stderr,
                format: 'Uploading |{bar}| {percentage}% {sentMiB}/{totalMiB} MiB  {speed} MiB/s  ETA {eta_formatted}',
                hideCursor: true,
                etaBuffer: 50,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
      const started = Date.now();
      bar?.start(size, 0, { sentMiB: '0.0', totalMiB: mib(size), speed: '0.0' });
      let lastLine = 0;
      try {
        const pkg = await pushPackage({
          file,
          server: flags.server,
          apiKey: flags.apiKey,
          space: flags.space,
          replace: flags.replace,
          onProgress: (sent, total) => {
            const secs = Math.max((Date.now() - started) / 1000, 0.001);
            bar?.update(sent, { sentMiB: mib(sent), totalMiB: mib(total), speed: mib(sent / secs) });
            // Without a terminal (CI logs): a line every 10%.
            if (!bar && flags.progress && total > 0 && Math.floor((sent / total) * 10) > lastLine) {
              lastLine = Math.floor((sent / total) * 10);
              process.stderr.write(`Uploaded ${mib(sent)} of ${mib(total)} MiB (${lastLine * 10}%)\n`);
            }
          },
        });
        bar?.stop();
        const secs = (Date.now() - started) / 1000;
        process.stderr.write(`Pushed ${pkg.packageId} ${pkg.version} (${mib(Number(pkg.sizeBytes))} MiB in ${secs.toFixed(1)} s) to ${flags.space}; sha256 ${pkg.hash}\n`);
        process.stdout.write(`${JSON.stringify(pkg)}\n`);
      } catch (err) {
        bar?.stop();
        if (err instanceof PushError && err.status === 409) throw new Error(err.message.replace(/Add \?replace=true to replace it\.$/, 'Use --replace to replace it.'));
        throw err;
      }
    });
}
