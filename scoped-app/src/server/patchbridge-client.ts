import { GlideDateTime, GlideRecord, gs } from '@servicenow/glide'
import * as sncc from '@servicenow/glide/sn_cc'
import { RESTMessageV2 } from '@servicenow/glide/sn_ws'
import { signatureHeader } from './patchbridge-signing'

/**
 * The one place the app calls patchbridge (the script include `PatchbridgeClient`
 * is a thin wrapper over this module).
 *
 * - Endpoint and secret come from the connection & credential alias
 *   `x_pbridge.patchbridge`: its HTTP connection's URL, and its credential
 *   (API Key credential, attribute `api_key`) holding the HMAC secret.
 * - Authentication: `x_pbridge.api.auth` = `hmac` (default; the signature of
 *   docs/api.md, key id `x_pbridge.api.key_id`) or `oauth2` (the OAuth 2.0
 *   client-credentials profile `x_pbridge.api.oauth_profile`, sent as a Bearer
 *   token, for patchbridge's JWT scheme).
 * - 429 and 503 (and no answer at all) are retried: scoped scripts cannot sleep,
 *   so the retry is an event (`x_pbridge.call.retry`) scheduled at the time
 *   `Retry-After` names (else 5 s, 10 s, 20 s, … at most 300 s), with the same
 *   request and the same `Idempotency-Key`; a Script Action resumes it.
 * - Every other answer comes back classified: `ok`, `refused` (a 4xx with
 *   patchbridge's problem+json `code`), `failed` (anything else, or the last
 *   retry used up). Callers turn `refused`/`failed` into a work note and a
 *   failed requested item; nothing is dropped silently.
 */

/** The connection & credential alias (`sys_alias.id` = scope + name). */
export const ALIAS_ID = 'x_pbridge.patchbridge'
/** The event a retry is scheduled as; the Script Action `patchbridge call retry` handles it. */
export const RETRY_EVENT = 'x_pbridge.call.retry'
/** Attempts per call, the first one included. */
export const MAX_ATTEMPTS = 5
/** `Retry-After` longer than this (seconds) is capped. */
const MAX_RETRY_AFTER_S = 3600
const BACKOFF_BASE_S = 5
const BACKOFF_MAX_S = 300
/** `sysevent.parm1` holds at most 4000 characters. */
const EVENT_PARM_MAX = 4000

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** One call to patchbridge, as scheduled and resumed (it travels in the retry event as JSON). */
export interface PatchbridgeCall {
    /** What to do with the answer: the handler `resumeCall` hands it to. */
    readonly operation: string
    readonly method: HttpMethod
    /** Path and query, e.g. `/v1/patch-runs`; exactly what is signed. */
    readonly path: string
    /** The exact JSON sent ('' for none). */
    readonly body: string
    /** Sent as `Idempotency-Key` on every attempt of a POST. */
    readonly idempotencyKey?: string
    /** 1 for the first attempt. */
    readonly attempt: number
    /** The record the call acts for (requested item, change, window); the retry event is queued on it. */
    readonly table: string
    readonly sysId: string
    /** Answer a 429/503 as `failed` instead of scheduling a retry (the window sync: its next run retries). */
    readonly noRetry?: boolean
}

export type CallOutcome =
    | { readonly kind: 'ok'; readonly status: number; readonly body: unknown }
    | { readonly kind: 'retrying'; readonly status: number; readonly code: string; readonly attempt: number; readonly at: string }
    | { readonly kind: 'refused'; readonly status: number; readonly code: string; readonly detail: string }
    | { readonly kind: 'failed'; readonly status: number; readonly code: string; readonly detail: string }

interface ConnectionInfoLike {
    getAttribute(name: string): string | null
    getCredentialAttribute(name: string): string | null
}
interface ConnectionInfoProviderLike {
    getConnectionInfo(aliasId: string): ConnectionInfoLike | null
}
/** Documented as `sn_cc.ConnectionInfoProvider`; the bundled typings name the class `ConnectionProvider`. */
const ConnectionInfoProvider = (sncc as unknown as { ConnectionInfoProvider: new () => ConnectionInfoProviderLike }).ConnectionInfoProvider

interface Problem {
    readonly code: string
    readonly detail: string
}

function problemOf(status: number, body: string): Problem {
    try {
        const parsed = JSON.parse(body) as { code?: unknown; detail?: unknown; title?: unknown }
        const code = typeof parsed.code === 'string' ? parsed.code : `HTTP_${status}`
        const detail = typeof parsed.detail === 'string' ? parsed.detail : typeof parsed.title === 'string' ? parsed.title : ''
        return { code, detail: detail.slice(0, 1000) }
    } catch (_e) {
        return { code: `HTTP_${status}`, detail: '' }
    }
}

/** Seconds to wait: `Retry-After` (delta seconds or an HTTP date), else exponential backoff. */
export function retryDelaySeconds(retryAfter: string | null, attempt: number, nowMs: number): number {
    const value = (retryAfter ?? '').trim()
    if (/^\d+$/.test(value)) return Math.min(MAX_RETRY_AFTER_S, Math.max(1, Number(value)))
    if (value !== '') {
        const at = Date.parse(value)
        if (!Number.isNaN(at)) return Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil((at - nowMs) / 1000)))
    }
    return Math.min(BACKOFF_MAX_S, BACKOFF_BASE_S * Math.pow(2, attempt - 1))
}

/** The alias's base URL: https, or http only to a loopback address (a patchbridge on the same host in tests). */
function baseUrl(connection: ConnectionInfoLike): string {
    const url = (connection.getAttribute('connection_url') ?? '').trim().replace(/\/+$/, '')
    if (/^https:\/\/[^/?#]+(\/[^?#]*)?$/.test(url)) return url
    if (/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/[^?#]*)?$/.test(url)) return url
    throw new Error(`the HTTP connection of ${ALIAS_ID} must be an https URL without query (got "${url}")`)
}

function configured(call: PatchbridgeCall): { request: RESTMessageV2 } {
    const connection = new ConnectionInfoProvider().getConnectionInfo(ALIAS_ID)
    if (!connection) throw new Error(`the connection & credential alias ${ALIAS_ID} has no active HTTP connection`)
    const request = new RESTMessageV2()
    request.setEndpoint(baseUrl(connection) + call.path)
    request.setHttpMethod(call.method.toLowerCase())
    request.setHttpTimeout(Number(gs.getProperty('x_pbridge.api.timeout_ms', '30000')) || 30000)
    request.setRequestHeader('Accept', 'application/json, application/problem+json')
    if (call.body !== '') {
        request.setRequestHeader('Content-Type', 'application/json')
        request.setRequestBody(call.body)
    }
    if (call.idempotencyKey) request.setRequestHeader('Idempotency-Key', call.idempotencyKey)
    const auth = gs.getProperty('x_pbridge.api.auth', 'hmac')
    if (auth === 'oauth2') {
        const profile = gs.getProperty('x_pbridge.api.oauth_profile', '')
        if (profile === '') throw new Error('x_pbridge.api.auth is oauth2 but x_pbridge.api.oauth_profile names no OAuth profile')
        request.setAuthenticationProfile('oauth2', profile)
    } else if (auth === 'hmac') {
        const secret = connection.getCredentialAttribute('api_key') ?? ''
        const keyId = gs.getProperty('x_pbridge.api.key_id', '')
        const ts = Math.floor(new GlideDateTime().getNumericValue() / 1000)
        const header = signatureHeader({ id: keyId, secret }, { method: call.method, pathWithQuery: call.path, body: call.body }, ts, gs.generateGUID())
        request.setRequestHeader('X-Patchbridge-Signature', header)
    } else {
        throw new Error(`x_pbridge.api.auth must be hmac or oauth2 (got "${auth}")`)
    }
    return { request }
}

/** Queues the next attempt of `call` on its record at now + `delaySeconds`; returns that time (UTC). */
function scheduleRetry(call: PatchbridgeCall, delaySeconds: number): string {
    const next: PatchbridgeCall = { ...call, attempt: call.attempt + 1 }
    const parm = JSON.stringify(next)
    if (parm.length > EVENT_PARM_MAX) throw new Error('the request is too large to retry through an event')
    const record = new GlideRecord(call.table)
    if (!record.get(call.sysId)) throw new Error(`${call.table} ${call.sysId} no longer exists`)
    const when = new GlideDateTime()
    when.addSeconds(delaySeconds)
    gs.eventQueueScheduled(RETRY_EVENT, record, parm, '', when)
    return when.getValue()
}

/** Sends one attempt of `call` and classifies the answer; 429/503/no answer schedules the next attempt. */
export function callPatchbridge(call: PatchbridgeCall): CallOutcome {
    let response
    try {
        response = configured(call).request.execute()
    } catch (e) {
        return { kind: 'failed', status: 0, code: 'APP_MISCONFIGURED', detail: String((e as Error).message ?? e) }
    }
    const status = response.getStatusCode()
    const body = response.getBody() ?? ''
    if (status >= 200 && status < 300) {
        let parsed: unknown = null
        try {
            parsed = body === '' ? null : JSON.parse(body)
        } catch (_e) {
            return { kind: 'failed', status, code: 'BAD_RESPONSE', detail: 'patchbridge answered with a body that is not JSON' }
        }
        return { kind: 'ok', status, body: parsed }
    }
    const problem = status === 0 ? { code: 'NO_ANSWER', detail: response.getErrorMessage() || 'no answer' } : problemOf(status, body)
    if (status === 429 || status === 503 || status === 0) {
        if (call.noRetry) return { kind: 'failed', status, code: problem.code, detail: problem.detail }
        if (call.attempt >= MAX_ATTEMPTS) {
            return { kind: 'failed', status, code: problem.code, detail: `no success after ${MAX_ATTEMPTS} attempts; last: ${problem.detail}` }
        }
        try {
            const delay = retryDelaySeconds(response.getHeader('Retry-After'), call.attempt, new GlideDateTime().getNumericValue())
            return { kind: 'retrying', status, code: problem.code, attempt: call.attempt + 1, at: scheduleRetry(call, delay) }
        } catch (e) {
            return { kind: 'failed', status, code: problem.code, detail: `${problem.detail}; the retry could not be scheduled: ${(e as Error).message}` }
        }
    }
    if (status >= 400 && status < 500 && status !== 401) return { kind: 'refused', status, code: problem.code, detail: problem.detail }
    return { kind: 'failed', status, code: problem.code, detail: problem.detail }
}

/** One line for a work note about an outcome that is not `ok`. */
export function describeOutcome(what: string, outcome: CallOutcome): string {
    switch (outcome.kind) {
        case 'ok':
            return `patchbridge accepted ${what} (HTTP ${outcome.status}).`
        case 'retrying':
            return `patchbridge could not take ${what} yet (HTTP ${outcome.status} ${outcome.code}); attempt ${outcome.attempt} of ${MAX_ATTEMPTS} is scheduled for ${outcome.at} UTC with the same request.`
        case 'refused':
            return `patchbridge refused ${what}: HTTP ${outcome.status} ${outcome.code}${outcome.detail ? ` - ${outcome.detail}` : ''}`
        case 'failed':
            return `patchbridge call for ${what} failed: ${outcome.status === 0 ? 'no answer' : `HTTP ${outcome.status}`} ${outcome.code}${outcome.detail ? ` - ${outcome.detail}` : ''}`
    }
}
