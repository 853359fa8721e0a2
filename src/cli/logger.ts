import type { Config } from '../config/index.js';
import { createLogger, type Logger } from '../core/index.js';
import type { CliIo } from './io.js';

/**
 * The logger of a long-running command: coloured human lines when stdout is a
 * terminal (or `PATCHBRIDGE_LOG_FORMAT=pretty`), JSON lines otherwise (or `=json`).
 */
export function cliLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, io: Pick<CliIo, 'stdout'>): Logger {
  const tty = io.stdout.isTTY === true;
  const format = config.logFormat === 'auto' ? (tty ? 'pretty' : 'json') : config.logFormat;
  return createLogger({ level: config.logLevel, format, colorize: tty, destination: { write: (s: string) => void io.stdout.write(s) } });
}
