import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { SANDBOX_EVENTS_KEY_FILE } from '../embedded-simulators.js';
import { apiContext, CliExitError, call, EXIT, emit, fields, jsonOption } from '../api-client.js';
import type { CliIo } from '../io.js';

const SNS_TYPES = new Set(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);

/**
 * `patchbridge events send FILE`: posts an EventBridge event (JSON, with the
 * events API key) or a signed SNS message (sent as SNS does, `text/plain` with
 * `x-amz-sns-message-type`) to `/v1/events`.
 */
export function eventsCommand(io: CliIo): Command {
  const events = new Command('events').description('Send patch events to /v1/events.');
  events
    .command('send')
    .description('Send one EventBridge event or SNS message from a JSON file ("-" for stdin).')
    .argument('<file>')
    .addOption(jsonOption())
    .action(async (file: string, o: { json?: boolean }) => {
      const ctx = apiContext(io, o);
      let text: string;
      let parsed: unknown;
      try {
        text = readFileSync(file === '-' ? 0 : file, 'utf8');
        parsed = JSON.parse(text);
      } catch (err) {
        throw new CliExitError(EXIT.usage, `${file}: not a readable JSON file (${err instanceof Error ? err.message : 'unreadable'})`);
      }
      const type = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['Type'] : undefined;
      const sns = typeof type === 'string' && SNS_TYPES.has(type);
      const apiKey = ctx.config.events.apiKey ?? readSandboxKey(ctx.config.dataDir);
      const basic = ctx.config.events.basicAuth;
      const headers: Record<string, string> = sns
        ? { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': type }
        : apiKey
          ? { 'x-api-key': apiKey }
          : basic
            ? { authorization: `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}` }
            : {};
      const result = await call(
        ctx.baseUrl,
        ctx.client.POST('/v1/events', {
          // The body goes byte for byte as read: an SNS signature covers it.
          body: parsed as never,
          bodySerializer: () => text,
          headers: sns ? headers : { 'content-type': 'application/json', ...headers },
        }),
      );
      emit(io, ctx, result, () =>
        result.status === 'accepted'
          ? fields([
              ['accepted', result.accepted],
              ['duplicates', result.duplicates],
              ['ignored', result.ignored],
            ])
          : `subscription ${result.status}\n`,
      );
    });
  return events;
}

function readSandboxKey(dataDir: string): string | undefined {
  try {
    return readFileSync(path.join(dataDir, SANDBOX_EVENTS_KEY_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
