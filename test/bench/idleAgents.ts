/**
 * Many idle polling agents in one process, for the agent benchmark: each registered as its own
 * target with its own key and certificate, each running the real agent's poll loop (`Poller`)
 * with its own mutual-TLS connection. They answer their first health checks and otherwise hold
 * polls open. Prints `ready <n>` once every agent is polling; stops on SIGTERM.
 *
 *   node --import tsx test/bench/idleAgents.ts <server URL> <API key> <comms URL> <count> <dir>
 */
import path from 'node:path';
import { CommsClient } from '../../agent/src/comms.js';
import { AgentDataDir } from '../../agent/src/dataDir.js';
import { PackageCache } from '../../agent/src/packages/cache.js';
import { Poller } from '../../agent/src/poller.js';
import { register } from '../../agent/src/register.js';

const [server, apiKey, comms, countArg, dir] = process.argv.slice(2);
const count = Number(countArg);
if (!server || !apiKey || !comms || !Number.isInteger(count) || !dir) {
  process.stderr.write('usage: idleAgents.ts <server URL> <API key> <comms URL> <count> <dir>\n');
  process.exit(2);
}

const pollers: Poller[] = [];
const quiet = () => {};
/** Registered a few at a time: the node hashes nothing per registration, but 500 at once is a burst no fleet makes. */
const WIDTH = 8;
let next = 0;
await Promise.all(
  Array.from({ length: WIDTH }, async () => {
    while (next < count) {
      const i = next++;
      const data = new AgentDataDir(path.join(dir, `idle-${i}`));
      const r = await register(data, { server, apiKey, name: `idle-${i}`, environments: ['Idle'], roles: ['idle'], space: 'Spaces-1', comms });
      const client = new CommsClient(r.commsUrl, await data.identity(), r.clusterCertificate, r.clusterThumbprint);
      const poller = new Poller({ client, workRoot: data.workDir, packages: { cache: new PackageCache(data.packagesDir), applicationsDir: data.applicationsDir }, capacity: 1, say: quiet });
      pollers.push(poller);
      void poller.run();
    }
  }),
);
process.stdout.write(`ready ${pollers.length}\n`);
process.once('SIGTERM', () => {
  void Promise.all(pollers.map((p) => p.stop(1000))).then(() => process.exit(0));
});
