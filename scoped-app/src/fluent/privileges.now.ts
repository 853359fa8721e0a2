import '@servicenow/sdk/global'
import { CrossScopePrivilege } from '@servicenow/sdk/core'

// What the app's scripts do to platform (global) tables, pre-authorised so the
// platform does not block them at run time. Nothing else is touched outside the app's own tables.

CrossScopePrivilege({ $id: Now.ID['xsp-sc-req-item-read'], status: 'allowed', operation: 'read', targetName: 'sc_req_item', targetScope: 'global', targetType: 'sys_db_object' })
CrossScopePrivilege({ $id: Now.ID['xsp-sc-req-item-write'], status: 'allowed', operation: 'write', targetName: 'sc_req_item', targetScope: 'global', targetType: 'sys_db_object' })
CrossScopePrivilege({ $id: Now.ID['xsp-change-read'], status: 'allowed', operation: 'read', targetName: 'change_request', targetScope: 'global', targetType: 'sys_db_object' })
CrossScopePrivilege({ $id: Now.ID['xsp-change-write'], status: 'allowed', operation: 'write', targetName: 'change_request', targetScope: 'global', targetType: 'sys_db_object' })
CrossScopePrivilege({ $id: Now.ID['xsp-task-ci-read'], status: 'allowed', operation: 'read', targetName: 'task_ci', targetScope: 'global', targetType: 'sys_db_object' })
CrossScopePrivilege({ $id: Now.ID['xsp-task-ci-create'], status: 'allowed', operation: 'create', targetName: 'task_ci', targetScope: 'global', targetType: 'sys_db_object' })
CrossScopePrivilege({ $id: Now.ID['xsp-cmdb-ci-read'], status: 'allowed', operation: 'read', targetName: 'cmdb_ci', targetScope: 'global', targetType: 'sys_db_object' })
CrossScopePrivilege({ $id: Now.ID['xsp-incident-read'], status: 'allowed', operation: 'read', targetName: 'incident', targetScope: 'global', targetType: 'sys_db_object' })
