import type { OctopusQuery } from './query.js';

/**
 * Octopus's paged list (`ResourceCollection`): the TS client reads `Items` and `TotalResults`;
 * the Go CLI follows `Links["Page.Next"]`, present only while another page exists.
 */
export function collection<T>(itemType: string, all: T[], q: OctopusQuery, path: string) {
  const { skip, take } = q;
  const items = all.slice(skip, skip + take);
  const pages = Math.max(1, Math.ceil(all.length / take));
  const at = (s: number) => {
    const search = new URLSearchParams(q.search);
    for (const k of [...search.keys()]) if (/^(skip|take)$/i.test(k)) search.delete(k);
    search.set('skip', String(s));
    search.set('take', String(take));
    return `${path}?${search.toString()}`;
  };
  const links: Record<string, string> = {
    Self: at(skip),
    'Page.All': path,
    'Page.Current': at(skip),
    'Page.Last': at((pages - 1) * take),
  };
  if (skip + take < all.length) links['Page.Next'] = at(skip + take);
  return { ItemType: itemType, TotalResults: all.length, ItemsPerPage: take, NumberOfPages: pages, LastPageNumber: pages - 1, Items: items, Links: links };
}

/** `partialName`: a case-insensitive part of the name. */
export const matchesPartialName = (name: string, partial: string | undefined) => !partial || name.toLowerCase().includes(partial.toLowerCase());

/** `ids`: one of the listed ids (exact), or every item when absent. */
export const matchesIds = (id: string, ids: string[] | undefined) => !ids || ids.some((x) => x.toLowerCase() === id.toLowerCase());
