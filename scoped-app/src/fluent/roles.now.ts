import '@servicenow/sdk/global'
import { Role } from '@servicenow/sdk/core'

/**
 * patchbridge's ServiceNow user (Basic user or OAuth Application User).
 * Everything it may touch is granted by this app's ACLs (see acls.now.ts), nothing by platform defaults.
 */
export const integrationRole = Role({
    name: 'x_pbridge.integration',
    description:
        'patchbridge integration user: loads x_pbridge_failure_import, writes x_pbridge_patch_run and x_pbridge_window, reads changes, requested items, groups and CIs, writes work notes and attachments on changes and requested items.',
    grantable: true,
    canDelegate: false,
})

/** People who may request patchbridge's catalog items and see the runs they caused. */
export const userRole = Role({
    name: 'x_pbridge.user',
    description: 'Requests patchbridge catalog items (ad hoc patching, window gates, compliance reports) and reads patch runs and windows.',
    grantable: true,
})

/** Administers the app: properties, every record of its tables. */
export const adminRole = Role({
    name: 'x_pbridge.admin',
    description: 'Administers the patchbridge app: its properties and every record of its tables.',
    containsRoles: [userRole],
    scopedAdmin: true,
    grantable: true,
})
