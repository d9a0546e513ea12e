/**
 * Making an installed file readable by the machine's administrators alone. On Linux and
 * macOS the file's mode (0600, root's) does it; on Windows an ACL does: inheritance from
 * the folder removed, full control for SYSTEM and Administrators only (by SID, so it holds
 * on every language of Windows). The install-time writer sets it on the empty file before
 * a byte of the settings is written, so no user can open it in between.
 */
import { execFile } from 'node:child_process';
import { windowsSids } from '../../service/win32/sids.js';

export interface FileSecurity {
  /** Leaves `file` (which exists, still empty) to the machine's administrators alone. */
  restrict(file: string): Promise<void>;
}

/** icacls arguments that leave one file to SYSTEM and Administrators only. */
export function windowsPrivateFileAcl(file: string): string[] {
  return [
    file,
    '/inheritance:r',
    '/grant:r',
    `*${windowsSids.system}:F`,
    '/grant:r',
    `*${windowsSids.administrators}:F`,
    '/Q',
  ];
}

export const icaclsFileSecurity: FileSecurity = {
  restrict(file) {
    return new Promise((resolve, reject) => {
      execFile(
        'icacls',
        windowsPrivateFileAcl(file),
        { windowsHide: true, timeout: 15_000 },
        (error, _o, e) => (error ? reject(new Error(`icacls ${file}: ${e || error.message}`)) : resolve()),
      );
    });
  },
};

/** POSIX: the mode given at creation (0600) is the whole story; root owns what root writes. */
export const posixFileSecurity: FileSecurity = { restrict: () => Promise.resolve() };

export const defaultFileSecurity = (): FileSecurity =>
  process.platform === 'win32' ? icaclsFileSecurity : posixFileSecurity;
