// The minimal shoal-manager page: session from the one-time token, fleet cards, add a connection,
// notifications. Talks only to this server's bridge (/bridge/…); never sees an API key again.
const $ = (id) => document.getElementById(id);
const text = (s) => document.createTextNode(String(s));

async function invoke(channel, ...args) {
  const res = await fetch(`/bridge/invoke/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shoal-request': '1' },
    body: JSON.stringify(args),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.result;
}

async function startSession() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  history.replaceState(null, '', location.pathname);
  if (!token) return;
  const res = await fetch('/session', { method: 'POST', headers: { 'content-type': 'application/json', 'x-shoal-request': '1' }, body: JSON.stringify({ token }) });
  if (!res.ok) $('status').textContent = (await res.json()).error?.message ?? 'The link was refused.';
}

const cards = new Map();

function renderCard(h) {
  let card = cards.get(h.connectionId);
  if (!card) {
    card = document.createElement('article');
    card.className = 'card';
    card.dataset.connection = h.connectionId;
    cards.set(h.connectionId, card);
    $('fleet').append(card);
  }
  card.dataset.state = h.state;
  card.replaceChildren();
  const title = document.createElement('h3');
  title.append(text(h.name));
  card.append(title);
  const line = (s, cls) => {
    const p = document.createElement('div');
    if (cls) p.className = cls;
    p.append(text(s));
    card.append(p);
  };
  if (h.state === 'unreachable') line(`Unreachable: ${h.error?.message ?? ''} (next try ${new Date(h.nextCheckAt).toLocaleTimeString()})`, 'error');
  if (h.state === 'checking') line('Checking…');
  if (h.lastReachableAt) {
    const counts = Object.entries(h.nodesByStatus).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
    line(`Nodes: ${counts || 'none'}`);
    for (const n of h.nodes) line(`${n.name}: ${n.status}`, n.status === 'Offline' ? 'error node' : 'node');
    line(`Queue ${h.queueDepth} · running ${h.runningTasks} · version ${h.version ?? '?'}`);
    for (const w of h.storageWarnings) line(`Storage on ${w.node}: ${w.problems.join(' ')}`, 'error');
  }
}

function renderNotification(n) {
  const li = document.createElement('li');
  li.dataset.kind = n.kind;
  li.append(text(`${new Date(n.at).toLocaleTimeString()} ${n.title}: ${n.message}`));
  $('notifications').prepend(li);
}

async function renderSecrets() {
  const s = await invoke('secrets:status');
  const box = $('secrets');
  box.hidden = s.store !== null;
  if (s.store !== null) return;
  box.replaceChildren(text(`No keychain here (${s.keychain.problem}). Keep API keys for this session only? `));
  const button = document.createElement('button');
  button.textContent = 'Session only';
  button.onclick = async () => {
    await invoke('secrets:useSessionOnly');
    await renderSecrets();
  };
  box.append(button);
}

async function main() {
  await startSession();
  try {
    await renderSecrets();
  } catch (err) {
    $('status').textContent = err.message;
    return;
  }
  for (const h of await invoke('fleet:list')) renderCard(h);
  for (const n of (await invoke('notifications:list')).reverse()) renderNotification(n);
  const events = new EventSource('/bridge/events');
  events.addEventListener('fleet:health', (e) => renderCard(JSON.parse(e.data)));
  events.addEventListener('notification', (e) => renderNotification(JSON.parse(e.data)));
  $('add').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const input = Object.fromEntries([...form.entries()].filter(([, v]) => v !== ''));
    try {
      const c = await invoke('connections:add', input);
      $('add-result').textContent = `Added ${c.name}.`;
      e.target.reset();
    } catch (err) {
      $('add-result').textContent = err.message;
    }
  });
}

main();
