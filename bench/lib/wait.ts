/**
 * Polls `check` until it returns something other than false; returns that. Throws after
 * `timeoutMs`. `intervalMs` 0 polls as fast as the check runs.
 */
export async function until<T>(
  check: () => T | false | Promise<T | false>,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== false) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
