import { Command } from 'commander';
import type { ChangeGate } from '../../api/client/index.js';
import { accountAndRegion, apiContext, call, emit, fields, table, jsonOption, accountOption, regionOption } from '../api-client.js';
import type { CliIo } from '../io.js';

function gateFields(g: ChangeGate): string {
  return fields([
    ['window', g.windowId],
    ['state', g.state],
    ['change', g.changeRequest],
    ['account', `${g.accountId} ${g.region}`],
    ['from', g.start],
    ['to', g.end],
    ['revoked', g.revoked ? (g.revokedReason ?? 'yes') : undefined],
  ]);
}

/** `patchbridge gates set|clear|list`: maintenance-window change gates through the signed API. */
export function gatesCommand(io: CliIo): Command {
  const gates = new Command('gates').description('Open (set), close (clear) and list the change gates of maintenance windows.');

  gates
    .command('list')
    .description('Maintenance windows of an account and region, with their gate state.')
    .addOption(accountOption())
    .addOption(regionOption())
    .addOption(jsonOption())
    .action(async (o: { account?: string; region?: string; json?: boolean }) => {
      const ctx = apiContext(io, o);
      const list = await call(ctx.baseUrl, ctx.client.GET('/v1/maintenance-windows', { params: { query: accountAndRegion(ctx, o) } }));
      emit(io, ctx, list, () =>
        list.items.length === 0
          ? 'no maintenance windows\n'
          : table(
              ['WINDOW', 'NAME', 'ENABLED', 'GATE', 'CHANGE', 'NEXT RUN'],
              list.items.map((w) => [w.windowId, w.name, w.enabled ? 'yes' : 'no', w.gateState, w.gate?.changeRequest, w.nextExecutionTime]),
            ),
      );
    });

  gates
    .command('set')
    .description("Gate a window with an approved change: the window opens for the change's planned window.")
    .argument('<windowId>')
    .requiredOption('--change <CHG>', 'the approved change request number')
    .addOption(accountOption())
    .addOption(regionOption())
    .addOption(jsonOption())
    .action(async (windowId: string, o: { change: string; account?: string; region?: string; json?: boolean }) => {
      const ctx = apiContext(io, o);
      const { account, region } = accountAndRegion(ctx, o);
      const gate = await call(
        ctx.baseUrl,
        ctx.client.PUT('/v1/maintenance-windows/{windowId}/change-gate', { params: { path: { windowId } }, body: { accountId: account, region, changeRequest: o.change } }),
      );
      emit(io, ctx, gate, () => gateFields(gate));
    });

  gates
    .command('clear')
    .description('Revoke the window’s authorisation and disable the window.')
    .argument('<windowId>')
    .option('--account <id>', 'AWS account id, needed when no authorisation is on record')
    .option('--region <region>', 'AWS region, needed when no authorisation is on record')
    .option('--reason <text>', 'why, recorded with the revocation')
    .addOption(jsonOption())
    .action(async (windowId: string, o: { account?: string; region?: string; reason?: string; json?: boolean }) => {
      const ctx = apiContext(io, o);
      const query = { ...(o.account ? { account: o.account } : {}), ...(o.region ? { region: o.region } : {}), ...(o.reason ? { reason: o.reason } : {}) };
      const gate = await call(ctx.baseUrl, ctx.client.DELETE('/v1/maintenance-windows/{windowId}/change-gate', { params: { path: { windowId }, query } }));
      emit(io, ctx, gate ?? { windowId, state: 'none' }, () => (gate ? gateFields(gate) : `window ${windowId} disabled (no authorisation was on record)\n`));
    });
  return gates;
}
