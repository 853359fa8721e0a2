import '@servicenow/sdk/global'
import { Property } from '@servicenow/sdk/core'
import { adminRole, integrationRole } from './roles.now'

// Secrets never live here: the HMAC secret patchbridge's API checks is kept in a
// credential record (see scoped-app/README.md); these properties only name it.

export const baseUrl = Property({
    $id: Now.ID['prop-api-base-url'],
    name: 'x_pbridge.api.base_url',
    type: 'string',
    value: '',
    description: 'Base URL of the patchbridge API, e.g. https://patchbridge.example.com (https only). Empty = outbound calls are refused.',
    roles: { read: [adminRole, integrationRole], write: [adminRole] },
})

export const apiKeyId = Property({
    $id: Now.ID['prop-api-key-id'],
    name: 'x_pbridge.api.key_id',
    type: 'string',
    value: '',
    description: 'HMAC key id patchbridge knows this instance by (PATCHBRIDGE_API_HMAC_KEYS / the HMAC secret in Secrets Manager). Not a secret.',
    roles: { read: [adminRole], write: [adminRole] },
})

export const credentialName = Property({
    $id: Now.ID['prop-api-credential'],
    name: 'x_pbridge.api.credential',
    type: 'string',
    value: 'patchbridge API HMAC',
    description: 'Name of the credential record (API Key credential, Connections & Credentials) that holds the HMAC secret. The secret itself is never a property.',
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
