import '@servicenow/sdk/global'
import { Alias, Record, ScriptAction, ScriptInclude } from '@servicenow/sdk/core'
import { resumeCall } from '../server/patchbridge-app'

/**
 * The connection & credential alias every call to patchbridge goes through
 * (`x_pbridge.patchbridge`). Admins attach an HTTP connection (patchbridge's base
 * URL) and an API Key credential (the HMAC secret) to it; nothing else holds
 * them. The platform's retry policy is off (`retryPolicy: ''`): the app retries
 * 429/503 itself, honouring Retry-After and keeping the idempotency key.
 */
export const patchbridgeAlias = Alias({
    $id: Now.ID['alias-patchbridge'],
    name: 'patchbridge',
    type: 'connection',
    connectionType: 'httpConnection',
    retryPolicy: '',
    description:
        'patchbridge API. Connection: the API base URL (https). Credential: an API Key credential whose key is the HMAC secret patchbridge knows this instance by (key id in x_pbridge.api.key_id), or use x_pbridge.api.auth=oauth2 with an OAuth 2.0 profile.',
})

/** The script include other scripts call; a wrapper over src/server/patchbridge-client.ts. */
export const patchbridgeClientInclude = ScriptInclude({
    $id: Now.ID['si-patchbridge-client'],
    name: 'PatchbridgeClient',
    script: Now.include('../scripts/PatchbridgeClient.js'),
    accessibleFrom: 'package_private',
    active: true,
    description: 'Every call to the patchbridge API: alias x_pbridge.patchbridge, HMAC signature or OAuth 2.0, retries of 429/503 with the same idempotency key.',
})

/** The event a retried call is scheduled as (gs.eventQueueScheduled at the time Retry-After names). */
export const retryEvent = Record({
    $id: Now.ID['event-call-retry'],
    table: 'sysevent_register',
    data: {
        suffix: 'call.retry',
        event_name: 'x_pbridge.call.retry',
        description: 'The next attempt of a call to patchbridge that was answered 429 or 503 (parm1: the call as JSON, same request and idempotency key).',
        fired_by: 'Script include PatchbridgeClient',
        priority: 100,
    },
})

ScriptAction({
    $id: Now.ID['sa-call-retry'],
    name: 'patchbridge call retry',
    eventName: 'x_pbridge.call.retry',
    active: true,
    order: 100,
    description: 'Sends the next attempt of a patchbridge call and lands the answer on its requested item, change or window.',
    script: resumeCall,
})
