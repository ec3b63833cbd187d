import type { OctopusQuery } from './query.js';

/**
 * Octopus's paged list (`ResourceCollection`): the TS client reads `Items` and `TotalResults`;
 * the Go CLI follows `Links["Page.Next"]`, present only while another page exists.
 */
export function collection<T>(itemType: string, page: { items: T[]; total: number }, q: OctopusQuery, path: string) {
  const { skip, take } = q;
  const { items, total } = page;
  const pages = Math.max(1, Math.ceil(total / take));
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
  if (skip + take < total) links['Page.Next'] = at(skip + take);
  return { ItemType: itemType, TotalResults: total, ItemsPerPage: take, NumberOfPages: pages, LastPageNumber: pages - 1, Items: items, Links: links };
}

/** One page of a list held in memory (a space's environments, projects, spaces). */
export const pageOf = <T>(all: T[], q: OctopusQuery) => ({ items: all.slice(q.skip, q.skip + q.take), total: all.length });

/** `partialName`: a case-insensitive part of the name. */
export const matchesPartialName = (name: string, partial: string | undefined) => !partial || name.toLowerCase().includes(partial.toLowerCase());

/** `ids`: one of the listed ids (exact), or every item when absent. */
export const matchesIds = (id: string, ids: string[] | undefined) => !ids || ids.some((x) => x.toLowerCase() === id.toLowerCase());
