/**
 * The Harbour browser extension, as the installers force-install it. Its id is pinned by
 * the `key` in extension/manifest.json (see agent/src/node/native-host-manifest.ts);
 * installers can pass `--extension-id` (and `--extension-update-url`) to override it.
 */
export { harbourExtensionId } from '../native-host-manifest.js';

/** The Harbour server serves the packed extension and its update manifest at this path. */
export const extensionUpdatePath = '/extension/update.xml';

export function extensionUpdateUrl(serverUrl: string): string {
  return new URL(extensionUpdatePath, serverUrl).toString();
}
