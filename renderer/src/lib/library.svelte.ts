import { messageOf, packagesApi } from './api';
import type { PackageSummary, PackageVersion } from '@shoal/server-core/contract';

export const LIBRARY_PAGE_SIZE = 50;

/** The package list of the Library page: filter, the versions of opened packages, refresh. */
export class PackageLibrary {
  #items = $state.raw<PackageSummary[]>([]);
  #total = $state(0);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #versions = $state<Record<string, PackageVersion[]>>({});
  filter = $state('');

  get items(): PackageSummary[] {
    return this.#items;
  }
  get total(): number {
    return this.#total;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }
  versionsOf(packageId: string): PackageVersion[] | undefined {
    return this.#versions[packageId.toLowerCase()];
  }

  async refresh(): Promise<void> {
    const filter = this.filter.trim();
    try {
      const page = await packagesApi.list({ filter: filter || undefined, take: LIBRARY_PAGE_SIZE });
      if (filter !== this.filter.trim()) return; // typed on meanwhile; the next refresh answers
      this.#items = page.items;
      this.#total = page.total;
      this.#loaded = true;
      this.#error = null;
      // Keep open packages' versions current.
      await Promise.all(Object.keys(this.#versions).map((id) => this.loadVersions(id)));
    } catch (err) {
      this.#error = messageOf(err);
    }
  }

  async loadVersions(packageId: string): Promise<void> {
    const key = packageId.toLowerCase();
    try {
      this.#versions[key] = (await packagesApi.versions(packageId)).items;
    } catch {
      delete this.#versions[key]; // gone (last version deleted elsewhere)
    }
  }

  closeVersions(packageId: string): void {
    delete this.#versions[packageId.toLowerCase()];
  }

  /** Throws the server's error for the caller to show. */
  async remove(p: PackageVersion): Promise<void> {
    await packagesApi.remove(p);
    await this.refresh();
  }
}

export type UploadPhase = 'idle' | 'uploading' | 'done' | 'failed';

/** One upload at a time from the page, with its progress. */
export class PackageUpload {
  #phase = $state<UploadPhase>('idle');
  #sent = $state(0);
  #total = $state(0);
  #message = $state<string | null>(null);
  #started = 0;
  #abort: (() => void) | undefined;

  get phase(): UploadPhase {
    return this.#phase;
  }
  get sent(): number {
    return this.#sent;
  }
  get total(): number {
    return this.#total;
  }
  get percent(): number {
    return this.#total > 0 ? Math.min(100, Math.floor((this.#sent / this.#total) * 100)) : 0;
  }
  /** Bytes per second so far. */
  get rate(): number {
    const s = (Date.now() - this.#started) / 1000;
    return s > 0 ? this.#sent / s : 0;
  }
  get message(): string | null {
    return this.#message;
  }

  async start(file: File, replace: boolean): Promise<PackageVersion | undefined> {
    this.#phase = 'uploading';
    this.#sent = 0;
    this.#total = file.size;
    this.#message = null;
    this.#started = Date.now();
    const { done, abort } = packagesApi.upload(file, {
      replace,
      onProgress: (sent, total) => {
        this.#sent = sent;
        this.#total = total;
      },
    });
    this.#abort = abort;
    try {
      const pkg = await done;
      this.#phase = 'done';
      this.#sent = this.#total;
      this.#message = `Uploaded ${pkg.packageId} ${pkg.version}.`;
      return pkg;
    } catch (err) {
      this.#phase = 'failed';
      this.#message = messageOf(err);
      return undefined;
    } finally {
      this.#abort = undefined;
    }
  }

  cancel(): void {
    this.#abort?.();
  }
}
