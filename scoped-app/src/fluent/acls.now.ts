import '@servicenow/sdk/global'
import { Acl } from '@servicenow/sdk/core'
import { adminRole, integrationRole, userRole } from './roles.now'

// One ACL per table and operation the app defines: nothing is left to platform defaults.
// adminOverrides stays false on the app tables so even admin needs x_pbridge.admin (which it can grant itself).

Acl({
    $id: Now.ID['acl-staging-create'],
    type: 'record',
    table: 'x_pbridge_failure_import',
    operation: 'create',
    decisionType: 'allow',
    roles: [integrationRole],
    adminOverrides: false,
    description: 'patchbridge loads failure rows through the Import Set API.',
})

Acl({
    $id: Now.ID['acl-staging-read'],
    type: 'record',
    table: 'x_pbridge_failure_import',
    operation: 'read',
    decisionType: 'allow',
    roles: [integrationRole, adminRole],
    adminOverrides: false,
    description: 'The Import Set API returns the staging row; admins inspect imports.',
})

Acl({
    $id: Now.ID['acl-staging-write'],
    type: 'record',
    table: 'x_pbridge_failure_import',
    operation: 'write',
    decisionType: 'allow',
    roles: [adminRole],
    adminOverrides: false,
    description: 'Staging rows are written once by the import; only admins may correct one.',
})

Acl({
    $id: Now.ID['acl-staging-delete'],
    type: 'record',
    table: 'x_pbridge_failure_import',
    operation: 'delete',
    decisionType: 'allow',
    roles: [adminRole],
    adminOverrides: false,
    description: 'Only admins clean up staging rows (the import set cleaner runs as system).',
})

Acl({
    $id: Now.ID['acl-patch-run-create'],
    type: 'record',
    table: 'x_pbridge_patch_run',
    operation: 'create',
    decisionType: 'allow',
    roles: [integrationRole, adminRole],
    adminOverrides: false,
    description: 'patchbridge records each run it starts.',
})

Acl({
    $id: Now.ID['acl-patch-run-read'],
    type: 'record',
    table: 'x_pbridge_patch_run',
    operation: 'read',
    decisionType: 'allow',
    roles: [integrationRole, userRole, adminRole],
    adminOverrides: false,
    description: 'Requesters follow their runs; patchbridge re-reads before it updates.',
})

Acl({
    $id: Now.ID['acl-patch-run-write'],
    type: 'record',
    table: 'x_pbridge_patch_run',
    operation: 'write',
    decisionType: 'allow',
    roles: [integrationRole, adminRole],
    adminOverrides: false,
    description: 'patchbridge writes status, counts and times back.',
})

Acl({
    $id: Now.ID['acl-patch-run-delete'],
    type: 'record',
    table: 'x_pbridge_patch_run',
    operation: 'delete',
    decisionType: 'allow',
    roles: [adminRole],
    adminOverrides: false,
    description: 'Run history is kept; only admins delete.',
})

Acl({
    $id: Now.ID['acl-window-create'],
    type: 'record',
    table: 'x_pbridge_window',
    operation: 'create',
    decisionType: 'allow',
    roles: [integrationRole, adminRole],
    adminOverrides: false,
    description: 'patchbridge registers the maintenance windows it gates.',
})

Acl({
    $id: Now.ID['acl-window-read'],
    type: 'record',
    table: 'x_pbridge_window',
    operation: 'read',
    decisionType: 'allow',
    roles: [integrationRole, userRole, adminRole],
    adminOverrides: false,
    description: 'Requesters pick a window to gate; patchbridge re-reads before it updates.',
})

Acl({
    $id: Now.ID['acl-window-write'],
    type: 'record',
    table: 'x_pbridge_window',
    operation: 'write',
    decisionType: 'allow',
    roles: [integrationRole, adminRole],
    adminOverrides: false,
    description: 'patchbridge writes enabled state, gating change and last execution.',
})

Acl({
    $id: Now.ID['acl-window-delete'],
    type: 'record',
    table: 'x_pbridge_window',
    operation: 'delete',
    decisionType: 'allow',
    roles: [adminRole],
    adminOverrides: false,
    description: 'Only admins remove a window from the registry.',
})

// What patchbridge's user needs outside the app's tables. Read is granted on the
// tables it looks up; write only where it leaves work notes (the table-level
// write ACL is what the platform checks first, the field-level one narrows it).

Acl({
    $id: Now.ID['acl-change-request-read'],
    type: 'record',
    table: 'change_request',
    operation: 'read',
    decisionType: 'allow',
    roles: [integrationRole],
    adminOverrides: true,
    description: 'patchbridge re-reads a change before it patches or gates a window.',
})

Acl({
    $id: Now.ID['acl-sc-req-item-read'],
    type: 'record',
    table: 'sc_req_item',
    operation: 'read',
    decisionType: 'allow',
    roles: [integrationRole],
    adminOverrides: true,
    description: 'patchbridge reads the requested item it reports to.',
})

Acl({
    $id: Now.ID['acl-sys-user-group-read'],
    type: 'record',
    table: 'sys_user_group',
    operation: 'read',
    decisionType: 'allow',
    roles: [integrationRole],
    adminOverrides: true,
    description: 'The transform resolves assignment groups by name.',
})

Acl({
    $id: Now.ID['acl-cmdb-ci-read'],
    type: 'record',
    table: 'cmdb_ci',
    operation: 'read',
    decisionType: 'allow',
    roles: [integrationRole],
    adminOverrides: true,
    description: 'CI lookups by object_id (cmdb_ci_vm_instance, cmdb_ci_server and other classes).',
})

Acl({
    $id: Now.ID['acl-task-ci-read'],
    type: 'record',
    table: 'task_ci',
    operation: 'read',
    decisionType: 'allow',
    roles: [integrationRole],
    adminOverrides: true,
    description: 'PATCHBRIDGE_CHANGE_SCOPE: the affected CIs of a change cover what a patch run targets.',
})

Acl({
    $id: Now.ID['acl-change-request-write'],
    type: 'record',
    table: 'change_request',
    operation: 'write',
    decisionType: 'allow',
    roles: [integrationRole],
    adminOverrides: true,
    description: 'Needed before any field write on a change; field ACLs narrow it to work notes.',
})

Acl({
    $id: Now.ID['acl-change-request-write-work-notes'],
    type: 'record',
    table: 'change_request',
    field: 'work_notes',
    operation: 'write',
    decisionType: 'allow',
    roles: [integrationRole],
    adminOverrides: true,
    description: 'patchbridge writes run results and window executions as work notes.',
})

Acl({
    $id: Now.ID['acl-sc-req-item-write'],
    type: 'record',
    table: 'sc_req_item',
    operation: 'write',
    decisionType: 'allow',
    roles: [integrationRole],
    adminOverrides: true,
    description: 'Needed before any field write on a requested item; field ACLs narrow it to work notes.',
})

Acl({
    $id: Now.ID['acl-sc-req-item-write-work-notes'],
    type: 'record',
    table: 'sc_req_item',
    field: 'work_notes',
    operation: 'write',
    decisionType: 'allow',
    roles: [integrationRole],
    adminOverrides: true,
    description: 'patchbridge writes report links and run results as work notes.',
})

Acl({
    $id: Now.ID['acl-sys-attachment-create'],
    type: 'record',
    table: 'sys_attachment',
    operation: 'create',
    decisionType: 'allow',
    roles: [integrationRole],
    condition: 'table_nameINsc_req_item,change_request^EQ',
    adminOverrides: true,
    description: 'patchbridge attaches compliance reports to requested items and changes, and nothing else.',
})

Acl({
    $id: Now.ID['acl-sys-import-set-row-read'],
    type: 'record',
    table: 'sys_import_set_row',
    operation: 'read',
    decisionType: 'allow',
    roles: [integrationRole],
    condition: 'sys_class_name=x_pbridge_failure_import^EQ',
    adminOverrides: true,
    description: 'patchbridge reads the outcome of its own asynchronous imports (insertMultiple) from its staging rows, and no other import set rows.',
})
