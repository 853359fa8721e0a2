import '@servicenow/sdk/global'
import { Property } from '@servicenow/sdk/core'
import { adminRole, integrationRole } from './roles.now'

// Secrets never live here: patchbridge's URL and the HMAC secret are on the connection &
// credential alias x_pbridge.patchbridge (see scoped-app/README.md).

export const apiKeyId = Property({
    $id: Now.ID['prop-api-key-id'],
    name: 'x_pbridge.api.key_id',
    type: 'string',
    value: '',
    description: 'HMAC key id patchbridge knows this instance by (PATCHBRIDGE_API_HMAC_KEYS / the HMAC secret in Secrets Manager). Not a secret.',
    roles: { read: [adminRole], write: [adminRole] },
})

export const authMode = Property({
    $id: Now.ID['prop-api-auth'],
    name: 'x_pbridge.api.auth',
    type: 'string',
    value: 'hmac',
    description:
        'How calls to patchbridge authenticate: hmac = the HMAC-SHA256 signature, secret in the credential of alias x_pbridge.patchbridge, key id in x_pbridge.api.key_id; oauth2 = a Bearer token from the OAuth 2.0 client-credentials profile in x_pbridge.api.oauth_profile.',
    roles: { read: [adminRole], write: [adminRole] },
})

export const oauthProfile = Property({
    $id: Now.ID['prop-api-oauth-profile'],
    name: 'x_pbridge.api.oauth_profile',
    type: 'string',
    value: '',
    description: 'sys_id of the OAuth entity profile (client credentials grant) used when x_pbridge.api.auth is oauth2.',
    roles: { read: [adminRole], write: [adminRole] },
})

export const syncTargets = Property({
    $id: Now.ID['prop-sync-targets'],
    name: 'x_pbridge.sync.targets',
    type: 'string',
    value: '',
    description: 'Accounts and regions whose maintenance windows the registry sync reads, as account:region separated by commas (e.g. 111122223333:eu-west-1). Those already in the registry are always synced.',
    roles: { read: [adminRole], write: [adminRole] },
})

export const timeoutMs = Property({
    $id: Now.ID['prop-api-timeout'],
    name: 'x_pbridge.api.timeout_ms',
    type: 'integer',
    value: 30000,
    description: 'Timeout of one outbound call to patchbridge, in milliseconds.',
    roles: { read: [adminRole], write: [adminRole] },
})

export const reopenResolved = Property({
    $id: Now.ID['prop-reopen-resolved'],
    name: 'x_pbridge.incident.reopen_resolved',
    type: 'boolean',
    value: true,
    description: 'When a patch failure arrives for a Resolved incident with the same correlation id: true = reopen it with a work note; false = only add the note.',
    roles: { read: [adminRole, integrationRole], write: [adminRole] },
})

export const autoResolve = Property({
    $id: Now.ID['prop-auto-resolve'],
    name: 'x_pbridge.incident.auto_resolve',
    type: 'boolean',
    value: true,
    description: 'When patchbridge reports every instance of an open incident compliant again (a compliance snapshot or a later successful run): true = resolve it with its close code, close notes and a work note; false = leave it open (the resolve row is ignored). patchbridge has the same switch: PATCHBRIDGE_INCIDENT_AUTO_RESOLVE.',
    roles: { read: [adminRole, integrationRole], write: [adminRole] },
})
