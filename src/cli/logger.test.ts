import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { cliLogger } from './logger.js';

function terminal(isTTY: boolean) {
  let out = '';
  return { stdout: { isTTY, write: (s: string) => (out += s) }, out: () => out };
}

describe('command-line logs', () => {
  it('when stdout is a terminal, then entries are coloured human lines, secrets still redacted', () => {
    const io = terminal(true);
    const logger = cliLogger(loadConfig({}), io);

    logger.info({ changeRequest: 'CHG0030001', password: 'hunter2-secret' }, 'patch run started');

    const line = io.out();
    expect(line).not.toMatch(/^\{/);
    expect(line).toContain('\u001b['); // ANSI colour
    expect(line).toMatch(/INFO.*patch run started/);
    expect(line).toContain('CHG0030001');
    expect(line).not.toContain('hunter2-secret');
  });

  it.each([
    ['stdout is not a terminal', false, {}],
    ['PATCHBRIDGE_LOG_FORMAT=json on a terminal', true, { PATCHBRIDGE_LOG_FORMAT: 'json' }],
  ])('when %s, then entries are JSON lines', (_label, isTTY, env) => {
    const io = terminal(isTTY);
    const logger = cliLogger(loadConfig(env), io);

    logger.info({ password: 'hunter2-secret' }, 'patch run started');

    const entry = JSON.parse(io.out()) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'patch run started', password: '[REDACTED]' });
  });

  it('when PATCHBRIDGE_LOG_FORMAT is not a known format, then configuration fails naming it', () => {
    expect(() => loadConfig({ PATCHBRIDGE_LOG_FORMAT: 'xml' })).toThrow(/PATCHBRIDGE_LOG_FORMAT: expected auto, json or pretty/);
  });
});
