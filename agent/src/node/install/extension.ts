/**
 * The Harbour browser extension, as the installers force-install it.
 *
 * PLACEHOLDER: the id below must be replaced by the real extension's id (derived from
 * its signing key) when the activity feature ships the extension. Until then installers
 * can pass `--extension-id` (and `--extension-update-url`) explicitly.
 */
export const harbourExtensionId = 'poemjonjpfaafjpefkaahnhhhooakmkl';

/** The Harbour server serves the packed extension and its update manifest at this path. */
export const extensionUpdatePath = '/extension/update.xml';

export function extensionUpdateUrl(serverUrl: string): string {
  return new URL(extensionUpdatePath, serverUrl).toString();
}
