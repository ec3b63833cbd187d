/** A readable API reference, rendered on the server from the OpenAPI document (no script). */

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  nullable?: boolean;
  description?: string;
  additionalProperties?: boolean | Schema;
};
type Operation = {
  tags?: string[];
  'x-access'?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema; description?: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>;
};
type Document = { info: { title: string; version: string; description?: string }; paths: Record<string, Record<string, Operation>> };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A JSON schema as a short TypeScript-like type. */
export function typeText(s: Schema | undefined, depth = 0): string {
  if (!s) return 'any';
  if (depth > 4) return '…';
  const inner = (x: Schema) => typeText(x, depth + 1);
  let t: string;
  if (s.const !== undefined) t = JSON.stringify(s.const);
  else if (s.enum) t = s.enum.map((e) => JSON.stringify(e)).join(' | ');
  else if (s.anyOf ?? s.oneOf) t = (s.anyOf ?? s.oneOf)!.map(inner).join(' | ');
  else if (s.allOf) t = s.allOf.map(inner).join(' & ');
  else if (s.type === 'array') t = `${/[|&]/.test(inner(s.items ?? {})) ? `(${inner(s.items ?? {})})` : inner(s.items ?? {})}[]`;
  else if (s.type === 'object' || s.properties) {
    const props = Object.entries(s.properties ?? {}).map(([k, v]) => `${k}${s.required?.includes(k) ? '' : '?'}: ${inner(v)}`);
    if (typeof s.additionalProperties === 'object') props.push(`[key: string]: ${inner(s.additionalProperties)}`);
    t = props.length ? `{ ${props.join('; ')} }` : 'object';
  } else if (Array.isArray(s.type)) t = s.type.join(' | ');
  else t = s.format ? `${s.type ?? 'any'} (${s.format})` : (s.type ?? 'any');
  return s.nullable ? `${t} | null` : t;
}

const bodySchema = (content: Record<string, { schema: Schema }> | undefined) => content && Object.values(content)[0]?.schema;

function operationHtml(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? [])
    .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${p.in}</td><td><code>${esc(typeText(p.schema))}</code></td><td>${p.required ? 'required' : ''}</td></tr>`)
    .join('');
  const body = bodySchema(op.requestBody?.content);
  const responses = Object.entries(op.responses ?? {})
    .filter(([status]) => /^2|^418|^503/.test(status) || status === 'default')
    .map(([status, r]) => `<li><b>${status}</b> <code>${esc(typeText(bodySchema(r.content)))}</code>${r.description && r.description !== 'Default Response' ? ` — ${esc(r.description)}` : ''}</li>`)
    .join('');
  return `<article id="${esc(`${method}-${path}`)}">
  <h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code> <span class="access">${esc(op['x-access'] ?? '')}</span></h3>
  ${op.description ? `<p>${esc(op.description)}</p>` : ''}
  ${params ? `<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>${params}</table>` : ''}
  ${body ? `<p>Body: <code>${esc(typeText(body))}</code></p>` : ''}
  <ul class="responses">${responses}</ul>
  <p class="errors">Errors: <code>{"error":{"code","message"}}</code> with 400, 401, 403, 404, 409, 413, 415, 429 or 503.</p>
</article>`;
}

export function renderReference(doc: Document): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags?.[0] ?? 'api';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
    }
  }
  const tags = [...byTag.keys()].sort();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#102a43;background:#f7f9fb}
header{background:#0e3a5b;color:#fff;padding:18px 32px}header p{max-width:900px;color:#d9e8f5}
nav{padding:12px 32px;background:#fff;border-bottom:1px solid #d9e2ec}nav a{margin-right:14px;color:#0e3a5b}
main{padding:8px 32px 48px;max-width:1100px}section h2{border-bottom:2px solid #d9e2ec;padding-top:18px}
article{background:#fff;border:1px solid #d9e2ec;border-radius:8px;padding:10px 16px;margin:12px 0}
h3{font-size:15px;margin:4px 0}code{font-family:ui-monospace,monospace;font-size:13px;word-break:break-word}
.method{display:inline-block;min-width:58px;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px;background:#486581}
.get{background:#2680c2}.post{background:#27ab83}.put,.patch{background:#de911d}.delete{background:#cf1124}
.access{float:right;font-size:12px;color:#486581;border:1px solid #bcccdc;border-radius:10px;padding:1px 8px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #e4e7eb;padding:3px 8px;text-align:left;font-size:13px}
.errors{color:#627d98;font-size:13px}.responses{margin:6px 0;padding-left:18px}
</style></head>
<body><header><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description ?? '')}</p>
<p>Machine-readable: <a style="color:#7dd3fc" href="/api/openapi.json">/api/openapi.json</a></p></header>
<nav>${tags.map((t) => `<a href="#${esc(t)}">${esc(t)}</a>`).join('')}</nav>
<main>${tags.map((t) => `<section id="${esc(t)}"><h2>${esc(t)}</h2>${byTag.get(t)!.join('\n')}</section>`).join('\n')}</main>
</body></html>`;
}
