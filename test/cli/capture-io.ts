import type { CliIo } from '../../src/cli/io.js';

/** A `CliIo` that records stdout and stderr, for running CLI commands in-process. */
export function captureIo(env: Record<string, string>): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    env,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    onSignal: () => undefined,
    out: () => out,
    err: () => err,
  };
}
