/**
 * Export and import of connections without secrets: what one operator hands another, or
 * moves to a new machine. Keys are entered again after an import.
 */
import { ConnectionError, type Connection } from './connection.js';
import type { ConnectionStore } from './connectionStore.js';

export interface ExportedConnection {
  name: string;
  url: string;
  folder: string | null;
  colour: string | null;
  pinnedCertificate: string | null;
}

export interface ConnectionsExport {
  format: 'shoal-connections';
  version: 1;
  exportedAt: string;
  connections: ExportedConnection[];
}

export interface ImportResult {
  added: Connection[];
  /** Entries left out, each with why (a name already in use, a bad URL). */
  skipped: { name: string; reason: string }[];
}

/** Every connection but the embedded node, with only the fields below (never an id or a key). */
export function exportConnections(store: ConnectionStore): ConnectionsExport {
  return {
    format: 'shoal-connections',
    version: 1,
    exportedAt: new Date().toISOString(),
    connections: store
      .list()
      .filter((c) => !c.embedded)
      .map(({ name, url, folder, colour, pinnedCertificate }) => ({ name, url, folder, colour, pinnedCertificate })),
  };
}

export function importConnections(store: ConnectionStore, file: unknown): ImportResult {
  const f = file as Partial<ConnectionsExport> | null;
  if (f?.format !== 'shoal-connections' || f.version !== 1 || !Array.isArray(f.connections)) {
    throw new ConnectionError('BadInput', 'This is not a Shoal connections export (format "shoal-connections", version 1).');
  }
  const result: ImportResult = { added: [], skipped: [] };
  for (const entry of f.connections) {
    const e = (entry ?? {}) as Partial<ExportedConnection>;
    const pin = typeof e.pinnedCertificate === 'string' && isThumbprint(e.pinnedCertificate) ? e.pinnedCertificate : null;
    try {
      result.added.push(store.add({ name: String(e.name ?? ''), url: String(e.url ?? ''), folder: e.folder, colour: e.colour, pinnedCertificate: pin }));
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      result.skipped.push({ name: String(e.name ?? ''), reason: err.message });
    }
  }
  return result;
}

const isThumbprint = (s: string) => /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(s);
