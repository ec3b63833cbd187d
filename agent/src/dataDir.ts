import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSelfSignedCertificate, thumbprintOf, type KeyAndCertificate } from '@shoal/server-core/certificates';

/** What registration left in the data dir: where to poll and whom to trust. */
export interface Registration {
  serverUrl: string;
  commsUrl: string;
  spaceId: string;
  targetId: string;
  name: string;
  clusterThumbprint: string;
  /** PEM of the cluster's communication certificate (pinned). */
  clusterCertificate: string;
  /** Absent in registrations made before listening agents: Polling. */
  mode?: 'Polling' | 'Listening';
  /** Listening: the port it opens, and the address nodes dial. */
  listenPort?: number;
  address?: string;
}

export class NotRegisteredError extends Error {}

/** Per user: `%LOCALAPPDATA%\ShoalAgent` on Windows, `~/Library/Application Support/ShoalAgent` on macOS, `$XDG_DATA_HOME/shoal-agent` (or `~/.local/share/shoal-agent`) elsewhere. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SHOAL_AGENT_DATA_DIR) return env.SHOAL_AGENT_DATA_DIR;
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'ShoalAgent');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'ShoalAgent');
  return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'shoal-agent');
}

/** The agent's files: its key (readable by its account only), its certificate, its registration. */
export class AgentDataDir {
  readonly keyFile: string;
  readonly certFile: string;
  readonly registrationFile: string;
  readonly workDir: string;
  /** The package cache, one file per SHA-256 (see packages/cache.ts). */
  readonly packagesDir: string;
  /** Default install folders of deployed packages: `applications/<environment>/<package>/<version>`. */
  readonly applicationsDir: string;

  constructor(readonly dir: string) {
    this.keyFile = path.join(dir, 'agent.key');
    this.certFile = path.join(dir, 'agent.crt');
    this.registrationFile = path.join(dir, 'registration.json');
    this.workDir = path.join(dir, 'work');
    this.packagesDir = path.join(dir, 'packages');
    this.applicationsDir = path.join(dir, 'applications');
  }

  /** The agent's key and certificate, made on first use and kept: registering again keeps the identity. */
  async identity(): Promise<KeyAndCertificate> {
    if (fs.existsSync(this.keyFile) && fs.existsSync(this.certFile)) {
      const cert = fs.readFileSync(this.certFile, 'utf8');
      return { key: fs.readFileSync(this.keyFile, 'utf8'), cert, thumbprint: thumbprintOf(cert) };
    }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const made = await createSelfSignedCertificate(`shoal-agent ${os.hostname()}`);
    writePrivate(this.keyFile, made.key);
    fs.writeFileSync(this.certFile, made.cert);
    return made;
  }

  registration(): Registration {
    if (!fs.existsSync(this.registrationFile)) throw new NotRegisteredError(`this agent is not registered (no ${this.registrationFile}); run shoal-agent register first`);
    return JSON.parse(fs.readFileSync(this.registrationFile, 'utf8')) as Registration;
  }

  saveRegistration(r: Registration): void {
    writePrivate(this.registrationFile, `${JSON.stringify(r, null, 2)}\n`);
  }
}

/** Written whole under a temporary name, then renamed: never half a file under the real name. */
function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
