/**
 * The desktop app's two IPC channels for the bridge: calls (renderer → main, answered with a
 * BridgeReply) and events (main → renderer, a BridgeEvent). The sandboxed preload cannot load
 * this module; it repeats the names typed as `typeof IPC_INVOKE` and `typeof IPC_EVENT`, so a
 * rename here fails its build.
 */
export const IPC_INVOKE = 'shoal:invoke' as const;
export const IPC_EVENT = 'shoal:event' as const;
