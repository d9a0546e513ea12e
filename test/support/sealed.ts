/**
 * Opens a sealed evidence package the way the receiving officer would, with standard
 * tools (GNU tar and sha256sum), and checks every hash in it against the manifest.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function verifySealedPackage(pkg: Buffer): {
  manifestSha256: string;
  metadata: unknown;
  files: { path: string; bytes: Buffer }[];
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-verify-'));
  try {
    fs.writeFileSync(path.join(dir, 'p.tar.gz'), pkg);
    execFileSync('tar', ['-xzf', 'p.tar.gz'], { cwd: dir });
    const [root] = fs.readdirSync(dir).filter((f) => f !== 'p.tar.gz');
    if (!root) throw new Error('empty package');
    const base = path.join(dir, root);
    // sha256sum exits non-zero if any listed file does not match.
    execFileSync('sha256sum', ['--check', '--strict', 'SHA256SUMS'], { cwd: base });
    const manifestBytes = fs.readFileSync(path.join(base, 'manifest.json'));
    const manifest = JSON.parse(manifestBytes.toString()) as {
      files: { path: string; sha256: string; bytes: number }[];
    };
    const files = manifest.files.map((f) => {
      const bytes = fs.readFileSync(path.join(base, f.path));
      if (sha(bytes) !== f.sha256 || bytes.length !== f.bytes)
        throw new Error(`${f.path} does not match the manifest`);
      if (f.path.startsWith('evidence/') && !f.path.startsWith(`evidence/${sha(bytes)}.`)) {
        throw new Error(`${f.path} is not named by its hash`);
      }
      return { path: f.path, bytes };
    });
    return {
      manifestSha256: sha(manifestBytes),
      metadata: JSON.parse(fs.readFileSync(path.join(base, 'metadata.json'), 'utf8')) as unknown,
      files,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
