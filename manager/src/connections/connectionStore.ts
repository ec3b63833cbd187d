/**
 * The saved connections: one JSON file in the manager's data folder, written atomically
 * (temp file, fsync, rename) with owner-only permissions. It holds no secret.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../atomicFile.js';
import { ConnectionError, normalizeColour, normalizeFolder, normalizeName, normalizeUrl, type Connection, type ConnectionFields } from './connection.js';

interface ConnectionFile {
  format: 'shoal-manager-connections';
  version: 1;
  connections: Connection[];
}

export const CONNECTIONS_FILE = 'connections.json';

/** Fields an edit may change; the URL changing drops a pinned certificate (it was for the old host). */
export type ConnectionPatch = Partial<ConnectionFields> & { pinnedCertificate?: string | null };

export class ConnectionStore {
  readonly file: string;
  #connections: Connection[];

  constructor(dataDir: string) {
    this.file = path.join(dataDir, CONNECTIONS_FILE);
    this.#connections = readFile(this.file);
  }

  list(): Connection[] {
    return this.#connections.map((c) => ({ ...c }));
  }

  get(id: string): Connection {
    const c = this.#connections.find((x) => x.id === id);
    if (!c) throw new ConnectionError('NotFound', `There is no connection ${id}.`);
    return { ...c };
  }

  find(id: string): Connection | undefined {
    const c = this.#connections.find((x) => x.id === id);
    return c && { ...c };
  }

  add(fields: ConnectionFields & { pinnedCertificate?: string | null }, o: { id?: string; embedded?: boolean } = {}): Connection {
    const now = new Date().toISOString();
    const c: Connection = {
      id: o.id ?? `conn-${crypto.randomBytes(6).toString('hex')}`,
      name: normalizeName(fields.name),
      url: normalizeUrl(fields.url),
      folder: normalizeFolder(fields.folder),
      colour: normalizeColour(fields.colour),
      pinnedCertificate: fields.pinnedCertificate ?? null,
      embedded: !!o.embedded,
      createdAt: now,
      updatedAt: now,
    };
    if (this.#connections.some((x) => x.id === c.id)) throw new ConnectionError('Conflict', `A connection with id ${c.id} already exists.`);
    this.#assertUniqueName(c.name, c.id);
    this.#save([...this.#connections, c]);
    return { ...c };
  }

  update(id: string, patch: ConnectionPatch): Connection {
    const before = this.get(id);
    const next: Connection = { ...before, updatedAt: new Date().toISOString() };
    if (patch.name !== undefined) next.name = normalizeName(patch.name);
    if (patch.url !== undefined) next.url = normalizeUrl(patch.url);
    if (patch.folder !== undefined) next.folder = normalizeFolder(patch.folder);
    if (patch.colour !== undefined) next.colour = normalizeColour(patch.colour);
    if (patch.pinnedCertificate !== undefined) next.pinnedCertificate = patch.pinnedCertificate;
    else if (new URL(next.url).host !== new URL(before.url).host) next.pinnedCertificate = null;
    this.#assertUniqueName(next.name, id);
    this.#save(this.#connections.map((c) => (c.id === id ? next : c)));
    return { ...next };
  }

  remove(id: string): Connection {
    const c = this.get(id);
    this.#save(this.#connections.filter((x) => x.id !== id));
    return c;
  }

  #assertUniqueName(name: string, exceptId: string): void {
    const clash = this.#connections.find((c) => c.id !== exceptId && c.name.toLowerCase() === name.toLowerCase());
    if (clash) throw new ConnectionError('Conflict', `A connection named "${clash.name}" already exists.`);
  }

  #save(connections: Connection[]): void {
    const body: ConnectionFile = { format: 'shoal-manager-connections', version: 1, connections };
    writeFileAtomically(this.file, `${JSON.stringify(body, null, 2)}\n`);
    this.#connections = connections;
  }
}

function readFile(file: string): Connection[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<ConnectionFile>;
  if (parsed.format !== 'shoal-manager-connections' || !Array.isArray(parsed.connections)) {
    throw new Error(`${file} is not a Shoal manager connection file`);
  }
  return parsed.connections;
}
