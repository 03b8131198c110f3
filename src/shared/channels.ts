/**
 * IPC channel names, used by the preload and the Electron host. Kept apart from wire.ts so
 * the sandboxed preload bundles no library (it can require nothing but Electron's modules).
 */
export const IPC_CHANNEL_COMMAND = 'push-lab:command';
export const IPC_CHANNEL_MESSAGE = 'push-lab:message';
export const IPC_CHANNEL_RESYNC = 'push-lab:resync';
/** Main → renderer: a native menu item was chosen (payload: a MenuAction). */
export const IPC_CHANNEL_MENU = 'push-lab:menu';
