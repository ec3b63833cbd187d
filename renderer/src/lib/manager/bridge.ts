/**
 * The manager's bridge as the screens call it: one interface (`ShoalBridge`, typed by the one
 * bridge contract in manager/src/bridge/contract.ts) over two transports — shoal-manager's HTTP
 * (POST /bridge/invoke/<channel>, events on /bridge/events) in a browser, and the desktop app's
 * preload (`window.shoal`, over IPC) in Electron. Nothing either returns is a secret.
 */
import type { BridgeArgs, BridgeChannel, BridgeEvents, BridgeResults, ShoalBridge } from '@shoal/manager/bridge';

export type { ShoalBridge };

export class BridgeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

type Listener = (payload: never) => void;

/** shoal-manager's bridge: calls need the session cookie (HttpOnly) and X-Shoal-Request. */
export function httpBridge(): ShoalBridge {
  const listeners = new Map<string, Set<Listener>>();
  let events: EventSource | null = null;
  const listen = (event: string) => {
    events ??= new EventSource('/bridge/events', { withCredentials: true });
    events.addEventListener(event, (e) => {
      const payload = JSON.parse((e as MessageEvent<string>).data) as never;
      for (const l of listeners.get(event) ?? []) l(payload);
    });
  };
  return {
    async invoke<C extends BridgeChannel>(channel: C, ...args: BridgeArgs<C>): Promise<BridgeResults[C]> {
      let res: Response;
      try {
        res = await fetch(`/bridge/invoke/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-shoal-request': '1' },
          body: JSON.stringify(args),
          credentials: 'same-origin',
          cache: 'no-store',
        });
      } catch {
        throw new BridgeError(0, 'NetworkError', 'The Shoal manager does not answer. Is shoal-manager still running?');
      }
      const body = (await res.json().catch(() => ({}))) as { result?: BridgeResults[C]; error?: { code: string; message: string } };
      if (!res.ok || body.error) throw new BridgeError(res.status, body.error?.code ?? 'HttpError', body.error?.message ?? `The manager answered ${res.status}.`);
      return body.result as BridgeResults[C];
    },
    on<E extends keyof BridgeEvents>(event: E, listener: (payload: BridgeEvents[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        listen(event);
      }
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
  };
}
