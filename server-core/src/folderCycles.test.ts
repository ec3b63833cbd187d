/** Folders of server-core/src depend on each other in one direction only: no import cycle between them. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const SRC = fileURLToPath(new URL('.', import.meta.url));

/** The folder (first path segment under src/) of a source file; files directly in src/ are their own. */
const folderOf = (file: string) => {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? rel[0]! : rel[0]!.replace(/\.ts$/, '');
};

/**
 * Edges between folders from every non-test module's relative imports that load code. Type-only
 * imports (`import type`, or only `type` names) are left out: they shape no load order, and
 * domain routes refer to the node's context type that the composition root assembles.
 */
function isTypeOnly(clause: string): boolean {
  if (/^(import|export)\s+type\b/.test(clause.trim())) return true;
  const names = /\{([^}]*)\}/.exec(clause)?.[1];
  const outside = clause.replace(/\{[^}]*\}/, '').replace(/^(import|export)\s*/, '').replace(/,?\s*$/, '').trim();
  return !!names && outside === '' && names.split(',').map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith('type '));
}

function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const rel of fs.readdirSync(SRC, { recursive: true }).map(String)) {
    if (!rel.endsWith('.ts') || /\.test\.ts$|conformance|^testing[\\/]/.test(rel)) continue;
    const file = path.join(SRC, rel);
    const from = folderOf(file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*((?:import|export)\b[^'"]*?)from\s+'(\.[^']+)'/g)) {
      if (isTypeOnly(m[1]!)) continue;
      const to = folderOf(path.resolve(path.dirname(file), m[2]!.replace(/\.js$/, '.ts')));
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, rel);
    }
  }
  return graph;
}

it('no import cycle between the folders of server-core/src', () => {
  const graph = folderGraph();
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const walk = (node: string, trail: string[]) => {
    state.set(node, 'open');
    for (const [next, via] of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...trail, `${node} (${via})`, next].join(' → '));
      else if (!state.has(next)) walk(next, [...trail, `${node} (${via})`]);
    }
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) walk(node, []);
  assert.ok(graph.size >= 10, `${graph.size} folders`);
  assert.deepEqual(cycles, []);
});
