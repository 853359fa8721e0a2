import { GlideRecord, gs } from '@servicenow/glide'

/**
 * The logic of the transform map `patchbridge failure import to incident`
 * (src/fluent/failure-import.now.ts). The map calls these functions from its
 * field maps and its row script; patchbridge's Node tests and its ServiceNow
 * simulator run this same module against an in-memory Glide stand-in.
 *
 * Only these GlideRecord calls are used: `new GlideRecord(table)`, `addQuery`
 * (2 or 3 arguments), `orderByDesc`, `setLimit`, `query`, `next`, `getValue`,
 * `setValue`, `getUniqueValue`; and `gs.getProperty`.
 */

/** What the map sees of a staging row or of the target incident. */
export interface FailureRow {
    getValue(name: string): string | null
    setValue(name: string, value: string | number): void
    getUniqueValue(): string
}

/** The map script's verdict on one row: refused rows are reported as `error` by the Import Set API. */
export interface RowVerdict {
    readonly refused: boolean
    /** The row is skipped without error (`ignore = true`): nothing is inserted or updated. */
    readonly ignored?: boolean
    readonly message: string
}

/** Same alphabet and length as patchbridge's correlation ids (DESIGN.md, Contracts). */
const CORRELATION_ID = /^[A-Za-z0-9:._-]{1,100}$/
const SYS_ID = /^[0-9a-f]{32}$/
const INSTANCE_ID = /^(i-([0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$/
const INCIDENT_RESOLVED = '6'
const INCIDENT_IN_PROGRESS = '2'
const CI_RETIRED = '7'
/** First line of the work note that reopens a Resolved incident: the same words patchbridge writes in Table API mode. */
export const REOPEN_NOTE = 'patchbridge: reopened, because patching failed again after the incident was resolved.'
/** Property that switches reopening of Resolved incidents off (then a Resolved match is only updated). */
export const REOPEN_PROPERTY = 'x_pbridge.incident.reopen_resolved'
/** Property that switches resolve rows off (they are then ignored). */
export const AUTO_RESOLVE_PROPERTY = 'x_pbridge.incident.auto_resolve'
/** Incident states a resolve row may resolve: New, In Progress, On Hold. */
const OPEN_STATES = ['1', '2', '3']

function value(row: FailureRow, name: string): string {
    const v = row.getValue(name)
    return v === null || v === undefined ? '' : String(v).trim()
}

/**
 * The second coalesce field: only incidents with `active=true` can match, so a
 * Closed or Cancelled incident (inactive) is never updated and a new one is
 * opened instead; Resolved incidents stay active and match.
 */
export function matchOpenIncidents(_source: FailureRow): string {
    return 'true'
}

/** `assignment_group`: an active group by sys_id or by exact name; unknown names leave the field untouched. */
export function resolveAssignmentGroup(source: FailureRow): string {
    const group = value(source, 'assignment_group')
    if (group === '') return ''
    const gr = new GlideRecord('sys_user_group')
    gr.addQuery(SYS_ID.test(group) ? 'sys_id' : 'name', group)
    gr.addQuery('active', true)
    gr.setLimit(1)
    gr.query()
    return gr.next() ? gr.getUniqueValue() : ''
}

/** The newest non-retired CI of `table` whose `field` equals `key`, or ''. */
function liveCi(table: string, field: string, key: string): string {
    const gr = new GlideRecord(table)
    gr.addQuery(field, key)
    gr.addQuery('install_status', '!=', CI_RETIRED)
    gr.orderByDesc('sys_updated_on')
    gr.setLimit(1)
    gr.query()
    return gr.next() ? gr.getUniqueValue() : ''
}

/**
 * `cmdb_ci`: the CI patchbridge named (sys_id or name); otherwise, for a
 * one-instance incident, the EC2 instance's CI by `object_id` in
 * `cmdb_ci_vm_instance`, falling back to `cmdb_ci_server`. Retired CIs
 * (`install_status=7`) are skipped.
 */
export function resolveCi(source: FailureRow): string {
    const named = value(source, 'cmdb_ci')
    if (named !== '') return liveCi('cmdb_ci', SYS_ID.test(named) ? 'sys_id' : 'name', named)
    const ids = value(source, 'instance_ids').split(',').filter((id) => id !== '')
    if (ids.length !== 1 || !INSTANCE_ID.test(ids[0] ?? '')) return ''
    const id = ids[0] ?? ''
    return liveCi('cmdb_ci_vm_instance', 'object_id', id) || liveCi('cmdb_ci_server', 'object_id', id)
}

/** `rfc`: the change request with this number, or ''. */
export function resolveChange(source: FailureRow): string {
    const number = value(source, 'change_request')
    if (!/^CHG\d{7,}$/.test(number)) return ''
    const gr = new GlideRecord('change_request')
    gr.addQuery('number', number)
    gr.setLimit(1)
    gr.query()
    return gr.next() ? gr.getUniqueValue() : ''
}

/**
 * The map's row script, after the field maps and the coalesce:
 * - refuses a row whose key is empty or malformed (it must never match or open anything);
 * - refuses impact or urgency outside 1..3;
 * - reopens a Resolved match (state In Progress, a work note saying why), unless
 *   `x_pbridge.incident.reopen_resolved` is `false`.
 */
export function checkFailureRow(source: FailureRow, target: FailureRow, isUpdate: boolean): RowVerdict {
    const key = value(source, 'correlation_id')
    if (!CORRELATION_ID.test(key)) {
        return { refused: true, message: 'correlation_id is required: 1-100 characters of A-Z a-z 0-9 : . _ -' }
    }
    if (value(source, 'close_code') !== '') return checkResolveRow(source, target, isUpdate)
    for (const name of ['impact', 'urgency']) {
        const v = value(source, name)
        if (v !== '' && v !== '1' && v !== '2' && v !== '3') return { refused: true, message: `${name} must be 1, 2 or 3` }
    }
    if (isUpdate && value(target, 'state') === INCIDENT_RESOLVED && gs.getProperty(REOPEN_PROPERTY, 'true') !== 'false') {
        target.setValue('state', INCIDENT_IN_PROGRESS)
        target.setValue('reopen_count', Number(value(target, 'reopen_count') || '0') + 1)
        const note = value(source, 'work_note')
        target.setValue('work_notes', note === '' ? REOPEN_NOTE : `${REOPEN_NOTE}\n${note}`)
        return { refused: false, message: 'reopened' }
    }
    return { refused: false, message: '' }
}

/**
 * A resolve row (patchbridge saw every instance of the incident compliant again):
 * resolves an open match (state Resolved, close code, close notes, the work note).
 * It never opens an incident, and never touches one that is already Resolved,
 * Closed or Cancelled, so a repeated row adds no second note.
 */
function checkResolveRow(source: FailureRow, target: FailureRow, isUpdate: boolean): RowVerdict {
    if (gs.getProperty(AUTO_RESOLVE_PROPERTY, 'true') === 'false') {
        return { refused: false, ignored: true, message: `not resolved: ${AUTO_RESOLVE_PROPERTY} is false` }
    }
    if (!isUpdate) return { refused: false, ignored: true, message: 'not resolved: no open incident has this correlation id' }
    if (OPEN_STATES.indexOf(value(target, 'state')) < 0) {
        return { refused: false, ignored: true, message: 'not resolved: the incident is already resolved or closed' }
    }
    target.setValue('state', INCIDENT_RESOLVED)
    target.setValue('close_code', value(source, 'close_code'))
    target.setValue('close_notes', value(source, 'close_notes'))
    return { refused: false, message: 'resolved' }
}
