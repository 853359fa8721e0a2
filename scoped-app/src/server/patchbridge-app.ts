import { GlideRecord, gs } from '@servicenow/glide'
import { callPatchbridge, type CallOutcome, describeOutcome, type PatchbridgeCall } from './patchbridge-client'

/**
 * What the app does with patchbridge: the catalog items' submit handlers (async
 * business rules on `sc_req_item`), the change approval rule, the window
 * registry sync, the run follow-up, and the retry Script Action. Every call goes
 * through `callPatchbridge`; every answer lands on a record: the requested item,
 * the change or the window. patchbridge's Node tests run this module under a
 * Glide stand-in against a running patchbridge (test/scoped-app/).
 */

// Requested item states (sc_req_item.state).
const RITM_WORK_IN_PROGRESS = '2'
const RITM_CLOSED_COMPLETE = '3'
const RITM_CLOSED_INCOMPLETE = '4'
const RITM_CLOSED = ['3', '4', '7']
// Change states.
const CHANGE_CLOSED = '3'
const CHANGE_CANCELED = '4'

/** The formats the catalog asks users to type, checked again here: the server never trusts the form. */
export const ACCOUNT_ID = /^\d{12}$/
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/
export const CHANGE_NUMBER = /^CHG\d{7,}$/
const PATCH_GROUP = /^[^,]{1,256}$/
const MAX_CONCURRENCY = /^([1-9][0-9]{0,5}|[1-9][0-9]?%|100%)$/
const MAX_ERRORS = /^(0|[1-9][0-9]{0,5}|[0-9]%|[1-9][0-9]%|100%)$/
const INSTANCE_ID = /^(i-([0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$/
const FINAL_RUN_STATUSES = ['Success', 'Failed', 'TimedOut', 'Cancelled']

/** A record the handlers act on: what `current` is in a business rule. */
export interface AppRecord {
    getValue(name: string): string | null
    getUniqueValue(): string
}

function value(record: AppRecord, name: string): string {
    const v = record.getValue(name)
    return v === null || v === undefined ? '' : String(v).trim()
}

function variables(ritm: AppRecord): Record<string, string> {
    const vars = (ritm as unknown as { variables?: Record<string, unknown> }).variables ?? {}
    const out: Record<string, string> = {}
    for (const name of Object.keys(vars)) out[name] = String(vars[name] ?? '').trim()
    return out
}

function list(text: string): string[] {
    const out: string[] = []
    for (const item of text.split(/[,\n]/)) {
        const v = item.trim()
        if (v !== '' && out.indexOf(v) < 0) out.push(v)
    }
    return out
}

function load(table: string, sysId: string): GlideRecord | undefined {
    const gr = new GlideRecord(table)
    return sysId !== '' && gr.get(sysId) ? gr : undefined
}

/** Writes fields (and a work note) on a record, read afresh so nothing else is overwritten. */
function write(table: string, sysId: string, values: Record<string, string>): void {
    const gr = load(table, sysId)
    if (!gr) {
        gs.error(`patchbridge: ${table} ${sysId} not found; could not record: ${JSON.stringify(values)}`)
        return
    }
    for (const name of Object.keys(values)) gr.setValue(name, values[name] ?? '')
    gr.update()
}

function note(table: string, sysId: string, text: string, values: Record<string, string> = {}): void {
    write(table, sysId, { ...values, work_notes: text })
}

/** The requested item failed: a work note saying why, and Closed Incomplete. */
function failRequestedItem(sysId: string, text: string): void {
    note('sc_req_item', sysId, text, { state: RITM_CLOSED_INCOMPLETE })
}

/** A problem found before calling patchbridge (bad variables, missing change): never silent. */
class Refusal extends Error {}

function check(condition: boolean, message: string): void {
    if (!condition) throw new Refusal(message)
}

function changeNumber(changeSysId: string): string {
    const change = load('change_request', changeSysId)
    check(change !== undefined, 'the change request does not exist')
    const number = value(change as GlideRecord, 'number')
    check(CHANGE_NUMBER.test(number), `the change number ${number} is malformed`)
    return number
}

// ---------------------------------------------------------------------------
// Request ad hoc patching
// ---------------------------------------------------------------------------

/** The EC2 instance ids of the CIs chosen (cmdb_ci sys_ids), from their `object_id`. */
function instanceIds(ciSysIds: readonly string[]): string[] {
    const ids: string[] = []
    for (const sysId of ciSysIds) {
        const ci = load('cmdb_ci', sysId)
        check(ci !== undefined, `configuration item ${sysId} does not exist`)
        const id = value(ci as GlideRecord, 'object_id')
        check(INSTANCE_ID.test(id), `configuration item ${value(ci as GlideRecord, 'name') || sysId} is not an EC2 instance (object_id "${id}")`)
        ids.push(id)
    }
    return ids
}

/** Adds CIs to the change's affected CIs (`task_ci`), each once. */
function addAffectedCis(changeSysId: string, ciSysIds: readonly string[]): number {
    let added = 0
    for (const ci of ciSysIds) {
        const existing = new GlideRecord('task_ci')
        existing.addQuery('task', changeSysId)
        existing.addQuery('ci_item', ci)
        existing.setLimit(1)
        existing.query()
        if (existing.next()) continue
        const link = new GlideRecord('task_ci')
        link.initialize()
        link.setValue('task', changeSysId)
        link.setValue('ci_item', ci)
        link.insert()
        added++
    }
    return added
}

/** The `POST /v1/patch-runs` body from the item's variables; throws a `Refusal` naming the first bad one. */
export function patchRunRequest(ritm: AppRecord): { body: Record<string, unknown>; changeSysId: string; cis: string[] } {
    const v = variables(ritm)
    const changeSysId = v['change_request'] ?? ''
    const number = changeNumber(changeSysId)
    check(ACCOUNT_ID.test(v['account_id'] ?? ''), 'the AWS account id must be 12 digits')
    check(REGION.test(v['region'] ?? ''), 'the AWS region must look like eu-west-1')
    const operation = v['operation'] === 'Install' ? 'Install' : v['operation'] === 'Scan' ? 'Scan' : ''
    check(operation !== '', 'the operation must be Scan or Install')
    const reboot = v['reboot_option'] || 'RebootIfNeeded'
    check(reboot === 'RebootIfNeeded' || reboot === 'NoReboot', 'the reboot option must be RebootIfNeeded or NoReboot')
    const concurrency = v['max_concurrency'] || '10%'
    check(MAX_CONCURRENCY.test(concurrency), 'max concurrency must be a number (1-999999) or a percentage (1%-100%)')
    const errors = v['max_errors'] || '0'
    check(MAX_ERRORS.test(errors), 'max errors must be a number or a percentage (0%-100%)')
    let targets: Record<string, string[]>
    let cis: string[] = []
    if (v['target_type'] === 'instances') {
        cis = list(v['instances'] ?? '')
        check(cis.length >= 1 && cis.length <= 50, 'choose 1 to 50 EC2 instance CIs')
        targets = { instanceIds: instanceIds(cis) }
    } else {
        const groups = list(v['patch_groups'] ?? '')
        check(groups.length >= 1 && groups.length <= 50, 'name 1 to 50 patch groups, separated by commas')
        for (const g of groups) check(PATCH_GROUP.test(g), `patch group "${g.slice(0, 40)}" is too long`)
        targets = { patchGroups: groups }
    }
    const body = {
        changeRequest: number,
        requestedItem: value(ritm, 'number'),
        accountId: v['account_id'],
        region: v['region'],
        targets,
        operation,
        rebootOption: reboot,
        maxConcurrency: concurrency,
        maxErrors: errors,
    }
    return { body, changeSysId, cis }
}

/**
 * Submit handler of *Request ad hoc patching* (async business rule on
 * `sc_req_item` insert): `POST /v1/patch-runs` with `Idempotency-Key` = the
 * requested item's sys_id, then the `x_pbridge_patch_run` record.
 */
export function submitPatchRun(ritm: AppRecord): CallOutcome | undefined {
    const sysId = ritm.getUniqueValue()
    let request
    try {
        request = patchRunRequest(ritm)
        if (variables(ritm)['add_affected_cis'] === 'true' && request.cis.length > 0) {
            const added = addAffectedCis(request.changeSysId, request.cis)
            note('change_request', request.changeSysId, `patchbridge: ${added} targeted CI(s) added to the affected CIs for ${value(ritm, 'number')}.`)
        }
    } catch (e) {
        if (!(e instanceof Refusal)) throw e
        failRequestedItem(sysId, `patchbridge: the patch run was not requested: ${e.message}.`)
        return undefined
    }
    const call: PatchbridgeCall = {
        operation: 'patch-run',
        method: 'POST',
        path: '/v1/patch-runs',
        body: JSON.stringify(request.body),
        idempotencyKey: sysId,
        attempt: 1,
        table: 'sc_req_item',
        sysId,
    }
    return finish(call, callPatchbridge(call))
}

interface PatchRunAnswer {
    readonly id: string
    readonly changeRequest: string
    readonly accountId: string
    readonly region: string
    readonly status: string
    readonly executionId?: string
    readonly operation: string
    readonly rebootOption: string
    readonly targets: unknown
}

/** `x_pbridge_patch_run` under the sys_id patchbridge's write-back uses (the run id without dashes), created or updated. */
function recordPatchRun(ritmSysId: string, changeSysId: string, run: PatchRunAnswer): string {
    const sysId = run.id.replace(/-/g, '').toLowerCase()
    const gr = new GlideRecord('x_pbridge_patch_run')
    const exists = gr.get(sysId)
    if (!exists) {
        gr.initialize()
        gr.setNewGuidValue(sysId)
        gr.setValue('status', run.status)
    }
    gr.setValue('run_id', run.id)
    gr.setValue('requested_item', ritmSysId)
    gr.setValue('change_request', changeSysId)
    gr.setValue('account', run.accountId)
    gr.setValue('region', run.region)
    gr.setValue('operation', run.operation)
    gr.setValue('reboot_option', run.rebootOption)
    gr.setValue('targets', JSON.stringify(run.targets).slice(0, 4000))
    if (run.executionId) gr.setValue('execution_id', run.executionId)
    if (exists) gr.update()
    else gr.insert()
    return sysId
}

// ---------------------------------------------------------------------------
// Request a patch compliance report
// ---------------------------------------------------------------------------

export function complianceReportRequest(ritm: AppRecord): Record<string, unknown> {
    const v = variables(ritm)
    const accounts = list(v['accounts'] ?? '')
    for (const a of accounts) check(ACCOUNT_ID.test(a), `AWS account id "${a.slice(0, 20)}" must be 12 digits`)
    const regions = list(v['regions'] ?? '')
    for (const r of regions) check(REGION.test(r), `AWS region "${r.slice(0, 20)}" must look like eu-west-1`)
    const groups = list(v['patch_groups'] ?? '')
    const days = Number(v['period_days'] || '30')
    check(Number.isInteger(days) && days >= 1 && days <= 366, 'the period must be 1 to 366 days')
    const formats = ['csv', 'html', 'json'].filter((f) => v[`format_${f}`] === 'true')
    const scope: Record<string, string[]> = {}
    if (accounts.length > 0) scope['accounts'] = accounts
    if (regions.length > 0) scope['regions'] = regions
    if (groups.length > 0) scope['patchGroups'] = groups
    return {
        ...(Object.keys(scope).length > 0 ? { scope } : {}),
        period: { days },
        formats: formats.length > 0 ? formats : ['csv', 'html', 'json'],
        requestedItem: value(ritm, 'number'),
    }
}

/** Submit handler of *Request a patch compliance report*: `POST /v1/compliance/reports`; patchbridge attaches the files. */
export function submitComplianceReport(ritm: AppRecord): CallOutcome | undefined {
    const sysId = ritm.getUniqueValue()
    let body
    try {
        body = complianceReportRequest(ritm)
    } catch (e) {
        if (!(e instanceof Refusal)) throw e
        failRequestedItem(sysId, `patchbridge: the report was not requested: ${e.message}.`)
        return undefined
    }
    const call: PatchbridgeCall = {
        operation: 'compliance-report',
        method: 'POST',
        path: '/v1/compliance/reports',
        body: JSON.stringify(body),
        idempotencyKey: sysId,
        attempt: 1,
        table: 'sc_req_item',
        sysId,
    }
    return finish(call, callPatchbridge(call))
}

// ---------------------------------------------------------------------------
// Gate a maintenance window with a change; the change approval rule
// ---------------------------------------------------------------------------

function gatePath(window: AppRecord): string {
    return `/v1/maintenance-windows/${encodeURIComponent(value(window, 'window_id'))}/change-gate`
}

function gateCall(window: AppRecord, changeNumberValue: string, forTable: string, forSysId: string): PatchbridgeCall {
    return {
        operation: `gate-put:${window.getUniqueValue()}`,
        method: 'PUT',
        path: gatePath(window),
        body: JSON.stringify({ accountId: value(window, 'account'), region: value(window, 'region'), changeRequest: changeNumberValue }),
        attempt: 1,
        table: forTable,
        sysId: forSysId,
    }
}

/** Submit handler of *Gate a maintenance window with a change*: the window is linked to the change and gated. */
export function submitWindowGate(ritm: AppRecord): CallOutcome | undefined {
    const sysId = ritm.getUniqueValue()
    const v = variables(ritm)
    let window: GlideRecord | undefined
    let number: string
    try {
        window = load('x_pbridge_window', v['window'] ?? '')
        check(window !== undefined, 'the maintenance window does not exist in the registry')
        number = changeNumber(v['change_request'] ?? '')
    } catch (e) {
        if (!(e instanceof Refusal)) throw e
        failRequestedItem(sysId, `patchbridge: the window was not gated: ${e.message}.`)
        return undefined
    }
    const w = window as GlideRecord
    write('x_pbridge_window', w.getUniqueValue(), { change_request: v['change_request'] ?? '' })
    const call = gateCall(w, number, 'sc_req_item', sysId)
    return finish(call, callPatchbridge(call))
}

/**
 * The async business rule on `change_request` (approval changes to approved,
 * or state changes to Closed or Canceled): every window the change gates is
 * gated (`PUT …/change-gate`) or shut (`DELETE …/change-gate`).
 */
export function onChangeGateRule(change: AppRecord): CallOutcome[] {
    const state = value(change, 'state')
    const closing = state === CHANGE_CLOSED || state === CHANGE_CANCELED
    if (!closing && value(change, 'approval') !== 'approved') return []
    const number = value(change, 'number')
    const windows = new GlideRecord('x_pbridge_window')
    windows.addQuery('change_request', change.getUniqueValue())
    windows.query()
    const outcomes: CallOutcome[] = []
    while (windows.next()) {
        const reason = `change ${number} ${state === CHANGE_CLOSED ? 'closed' : 'cancelled'}`
        const query = `?account=${encodeURIComponent(value(windows, 'account'))}&region=${encodeURIComponent(value(windows, 'region'))}&reason=${encodeURIComponent(reason)}`
        const call: PatchbridgeCall = closing
            ? {
                  operation: `gate-delete:${windows.getUniqueValue()}`,
                  method: 'DELETE',
                  path: gatePath(windows) + query,
                  body: '',
                  attempt: 1,
                  table: 'change_request',
                  sysId: change.getUniqueValue(),
              }
            : gateCall(windows, number, 'change_request', change.getUniqueValue())
        outcomes.push(finish(call, callPatchbridge(call)))
    }
    return outcomes
}

interface GateAnswer {
    readonly changeRequest: string
    readonly state: string
    readonly start: string
    readonly end: string
    readonly revokedReason?: string
}

function gateResult(windowSysId: string, outcome: CallOutcome, deleting: boolean): string {
    if (outcome.kind === 'ok') {
        const gate = outcome.body as GateAnswer | null
        const text = deleting
            ? `shut by patchbridge (window disabled${gate?.revokedReason ? `; ${gate.revokedReason}` : ''})`
            : `gated by ${gate?.changeRequest ?? ''}: ${gate?.state ?? ''}, ${gate?.start ?? ''} .. ${gate?.end ?? ''} (window enabled)`
        write('x_pbridge_window', windowSysId, {
            enabled: deleting ? 'false' : 'true',
            gate_state: deleting ? 'revoked' : (gate?.state ?? 'none'),
            gate_result: text.slice(0, 1000),
        })
        return text
    }
    const text = describeOutcome(deleting ? 'shutting the window' : 'gating the window', outcome)
    // A refused gate leaves the window disabled on patchbridge's side (fail closed); the registry says so.
    write('x_pbridge_window', windowSysId, outcome.kind === 'refused' ? { enabled: 'false', gate_result: text.slice(0, 1000) } : { gate_result: text.slice(0, 1000) })
    return text
}

// ---------------------------------------------------------------------------
// Window registry sync
// ---------------------------------------------------------------------------

interface WindowSummary {
    readonly windowId: string
    readonly name: string
    readonly enabled: boolean
    readonly schedule: string
    readonly gateState: string
}

/** Accounts and regions to sync: `x_pbridge.sync.targets` (`account:region, …`) plus those already in the registry. */
function syncTargets(): string[] {
    const targets = list(gs.getProperty('x_pbridge.sync.targets', ''))
    const known = new GlideRecord('x_pbridge_window')
    known.query()
    while (known.next()) {
        const t = `${value(known, 'account')}:${value(known, 'region')}`
        if (targets.indexOf(t) < 0) targets.push(t)
    }
    return targets
}

/**
 * The window registry sync (scheduled job, and the *Sync from patchbridge* UI
 * action): `GET /v1/maintenance-windows` per account and region, upserting
 * `x_pbridge_window` by (window id, account, region). A 429/503 is not retried
 * here: the next run (hourly, or on demand) picks the sync up again.
 */
export function syncWindows(): { synced: number; errors: string[] } {
    let synced = 0
    const errors: string[] = []
    for (const target of syncTargets()) {
        const [account = '', region = ''] = target.split(':')
        if (!ACCOUNT_ID.test(account) || !REGION.test(region)) {
            errors.push(`"${target.slice(0, 60)}" is not account:region`)
            continue
        }
        const call: PatchbridgeCall = {
            operation: 'window-sync',
            method: 'GET',
            path: `/v1/maintenance-windows?account=${account}&region=${region}`,
            body: '',
            attempt: 1,
            noRetry: true,
            table: 'x_pbridge_window',
            sysId: '',
        }
        const outcome = callPatchbridge(call)
        if (outcome.kind !== 'ok') {
            errors.push(`${account}/${region}: ${describeOutcome('the window list', outcome)}`)
            continue
        }
        const items = ((outcome.body as { items?: WindowSummary[] } | null)?.items ?? []) as WindowSummary[]
        for (const w of items) {
            const gr = new GlideRecord('x_pbridge_window')
            gr.addQuery('window_id', w.windowId)
            gr.addQuery('account', account)
            gr.addQuery('region', region)
            gr.setLimit(1)
            gr.query()
            const exists = gr.next()
            if (!exists) {
                gr.initialize()
                gr.setValue('window_id', w.windowId)
                gr.setValue('account', account)
                gr.setValue('region', region)
            }
            gr.setValue('name', (w.name ?? '').slice(0, 128))
            gr.setValue('schedule', (w.schedule ?? '').slice(0, 256))
            gr.setValue('enabled', w.enabled ? 'true' : 'false')
            gr.setValue('gate_state', w.gateState ?? 'none')
            if (exists) gr.update()
            else gr.insert()
            synced++
        }
    }
    for (const e of errors) gs.warn(`patchbridge window sync: ${e}`)
    return { synced, errors }
}

// ---------------------------------------------------------------------------
// Answers, retries and run status
// ---------------------------------------------------------------------------

/** Lands an outcome on the call's record; `retrying` outcomes are noted and come back through `resumeCall`. */
export function finish(call: PatchbridgeCall, outcome: CallOutcome): CallOutcome {
    const [operation = '', windowSysId = ''] = call.operation.split(':')
    if (operation === 'gate-put' || operation === 'gate-delete') {
        const text = gateResult(windowSysId, outcome, operation === 'gate-delete')
        if (call.table === 'sc_req_item') {
            if (outcome.kind === 'ok') note('sc_req_item', call.sysId, `patchbridge: window ${text}.`, { state: RITM_CLOSED_COMPLETE })
            else if (outcome.kind === 'retrying') note('sc_req_item', call.sysId, text, { state: RITM_WORK_IN_PROGRESS })
            else failRequestedItem(call.sysId, text)
        } else {
            const window = load('x_pbridge_window', windowSysId)
            note(call.table, call.sysId, `patchbridge: window ${window ? value(window, 'window_id') : windowSysId}: ${text}`)
        }
        return outcome
    }
    const what = operation === 'patch-run' ? 'the patch run' : 'the compliance report'
    if (outcome.kind === 'retrying') {
        note(call.table, call.sysId, describeOutcome(what, outcome), { state: RITM_WORK_IN_PROGRESS })
    } else if (outcome.kind !== 'ok') {
        failRequestedItem(call.sysId, describeOutcome(what, outcome))
    } else if (operation === 'patch-run') {
        const run = outcome.body as PatchRunAnswer
        const ritm = load('sc_req_item', call.sysId)
        const changeSysId = ritm ? (variables(ritm)['change_request'] ?? '') : ''
        const recordSysId = recordPatchRun(call.sysId, changeSysId, run)
        const record = load('x_pbridge_patch_run', recordSysId)
        note(
            'sc_req_item',
            call.sysId,
            `patchbridge started patch run ${record ? value(record, 'number') : ''} (${run.id}) under ${run.changeRequest}: ${run.operation}, status ${run.status}${run.executionId ? `, SSM execution ${run.executionId}` : ''}.`,
            { state: RITM_WORK_IN_PROGRESS },
        )
    } else {
        const report = outcome.body as { id?: string; status?: string }
        note(
            'sc_req_item',
            call.sysId,
            `patchbridge queued compliance report ${report?.id ?? ''} (${report?.status ?? ''}); the files and a summary will be attached to this request when it is built.`,
            { state: RITM_WORK_IN_PROGRESS },
        )
    }
    return outcome
}

/** Script Action on `x_pbridge.call.retry`: the next attempt of a call, same request, same idempotency key. */
export function resumeCall(event: { getValue(name: string): string | null }): CallOutcome | undefined {
    let call: PatchbridgeCall
    try {
        call = JSON.parse(event.getValue('parm1') ?? '') as PatchbridgeCall
    } catch (_e) {
        gs.error('patchbridge: a retry event without a readable call was dropped')
        return undefined
    }
    if (call.table === 'sc_req_item') {
        const ritm = load('sc_req_item', call.sysId)
        if (!ritm || RITM_CLOSED.indexOf(value(ritm, 'state')) >= 0) return undefined
    }
    return finish(call, callPatchbridge(call))
}

/**
 * After-update business rule on `x_pbridge_patch_run` (patchbridge writes status
 * and counts back): the requested item follows the run. Progress goes in a work
 * note; a finished run closes the item Closed Complete, or Closed Incomplete
 * when any instance did not patch, naming the incidents patchbridge raised.
 */
export function followPatchRun(run: AppRecord): void {
    const ritmSysId = value(run, 'requested_item')
    const ritm = ritmSysId === '' ? undefined : load('sc_req_item', ritmSysId)
    if (!ritm || RITM_CLOSED.indexOf(value(ritm, 'state')) >= 0) return
    const status = value(run, 'status')
    const n = (name: string) => Number(value(run, name) || '0')
    const counts = `${n('instances_total')} targeted, ${n('instances_succeeded')} succeeded, ${n('instances_failed')} failed, ${n('instances_timed_out')} timed out, ${n('instances_cancelled')} cancelled`
    const label = `${value(run, 'number')} (${value(run, 'run_id')})`
    if (FINAL_RUN_STATUSES.indexOf(status) < 0) {
        note('sc_req_item', ritmSysId, `patchbridge: patch run ${label} is ${status}: ${counts}.`, { state: RITM_WORK_IN_PROGRESS })
        return
    }
    const clean = status === 'Success' && n('instances_failed') === 0 && n('instances_timed_out') === 0 && n('instances_cancelled') === 0
    const incidents = clean ? [] : raisedIncidents(run)
    const lines = [
        `patchbridge: patch run ${label} finished: ${status}. ${counts}.`,
        ...(incidents.length > 0 ? [`Incidents raised: ${incidents.join(', ')}.`] : []),
    ]
    note('sc_req_item', ritmSysId, lines.join('\n'), { state: clean ? RITM_CLOSED_COMPLETE : RITM_CLOSED_INCOMPLETE })
}

/** Incidents patchbridge raised for the run: linked to its change, opened since the run started. */
function raisedIncidents(run: AppRecord): string[] {
    const change = value(run, 'change_request')
    if (change === '') return []
    const gr = new GlideRecord('incident')
    gr.addQuery('rfc', change)
    gr.addQuery('correlation_display', 'patchbridge')
    const started = value(run, 'started_at')
    if (started !== '') gr.addQuery('sys_created_on', '>=', started)
    gr.orderBy('number')
    gr.setLimit(50)
    gr.query()
    const numbers: string[] = []
    while (gr.next()) numbers.push(value(gr, 'number'))
    return numbers
}
