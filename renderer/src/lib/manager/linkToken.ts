/**
 * shoal-manager's way in: the link it prints carries a one-time token in the fragment
 * (`#token=…`, never sent to a server or a log). The page trades it once for an HttpOnly session
 * cookie, then drops it from the address. Resolves the refusal in words, or null.
 */
export async function exchangeLinkToken(): Promise<string | null> {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}#/fleet`);
  try {
    const res = await fetch('/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shoal-request': '1' },
      body: JSON.stringify({ token }),
      credentials: 'same-origin',
    });
    if (res.ok || (await sessionWorks())) return null; // a link used twice, in a browser that already has the session
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    return body?.error?.message ?? `The manager refused the link (${res.status}).`;
  } catch {
    return 'The Shoal manager does not answer. Is shoal-manager still running?';
  }
}

async function sessionWorks(): Promise<boolean> {
  const res = await fetch('/bridge/invoke/app:info', { method: 'POST', headers: { 'content-type': 'application/json', 'x-shoal-request': '1' }, body: '[]', credentials: 'same-origin' });
  return res.ok;
}
