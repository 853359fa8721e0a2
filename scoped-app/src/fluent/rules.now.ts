import '@servicenow/sdk/global'
import { BusinessRule, ScheduledScript, UiAction } from '@servicenow/sdk/core'
import { followPatchRun, onChangeGateRule, submitComplianceReport, submitPatchRun, submitWindowGate, syncWindows } from '../server/patchbridge-app'
import { adminRole } from './roles.now'

// The catalog items' submit handlers: async, so the requester never waits on patchbridge.
export const ADHOC_ITEM_NAME = 'Request ad hoc patching'
export const REPORT_ITEM_NAME = 'Request a patch compliance report'
export const GATE_ITEM_NAME = 'Gate a maintenance window with a change'

BusinessRule({
    $id: Now.ID['br-submit-patch-run'],
    name: 'patchbridge: request ad hoc patching',
    table: 'sc_req_item',
    when: 'async',
    action: ['insert'],
    filterCondition: `cat_item.name=${ADHOC_ITEM_NAME}^EQ`,
    order: 100,
    active: true,
    script: submitPatchRun,
    description: 'POST /v1/patch-runs with Idempotency-Key = the requested item sys_id, then the x_pbridge_patch_run record.',
})

BusinessRule({
    $id: Now.ID['br-submit-report'],
    name: 'patchbridge: request a compliance report',
    table: 'sc_req_item',
    when: 'async',
    action: ['insert'],
    filterCondition: `cat_item.name=${REPORT_ITEM_NAME}^EQ`,
    order: 100,
    active: true,
    script: submitComplianceReport,
    description: 'POST /v1/compliance/reports for the requested item; patchbridge attaches the files and a summary note.',
})

BusinessRule({
    $id: Now.ID['br-submit-gate'],
    name: 'patchbridge: gate a maintenance window',
    table: 'sc_req_item',
    when: 'async',
    action: ['insert'],
    filterCondition: `cat_item.name=${GATE_ITEM_NAME}^EQ`,
    order: 100,
    active: true,
    script: submitWindowGate,
    description: 'Links the window to the change and calls PUT /v1/maintenance-windows/{id}/change-gate.',
})

BusinessRule({
    $id: Now.ID['br-change-gates'],
    name: 'patchbridge: change approval gates windows',
    table: 'change_request',
    when: 'async',
    action: ['update'],
    filterCondition: 'approvalCHANGESTOapproved^ORstateCHANGESTO-2^ORstateCHANGESTO-1^ORstateCHANGESTO3^ORstateCHANGESTO4^EQ',
    order: 200,
    active: true,
    script: onChangeGateRule,
    description:
        'For every x_pbridge_window the change gates: approved (Scheduled/Implement) -> PUT change-gate (window enabled); closed or cancelled -> DELETE change-gate (window disabled). The window records the result.',
})

BusinessRule({
    $id: Now.ID['br-follow-run'],
    name: 'patchbridge: requested item follows its patch run',
    table: 'x_pbridge_patch_run',
    when: 'after',
    action: ['update'],
    filterCondition:
        'statusVALCHANGES^ORinstances_succeededVALCHANGES^ORinstances_failedVALCHANGES^ORinstances_timed_outVALCHANGES^ORinstances_cancelledVALCHANGES^EQ',
    order: 100,
    active: true,
    script: followPatchRun,
    description: 'Progress as work notes on the requested item; a finished run closes it Complete, or Incomplete (with the incidents raised) when an instance did not patch.',
})

export const windowSyncJob = ScheduledScript({
    $id: Now.ID['job-window-sync'],
    name: 'patchbridge: sync the maintenance window registry',
    active: true,
    frequency: 'periodically',
    executionInterval: { hours: 1, minutes: 0, seconds: 0 },
    executionStart: '2026-01-01 00:05:00',
    timeZone: 'UTC',
    script: syncWindows,
})

UiAction({
    $id: Now.ID['ua-window-sync'],
    name: 'Sync from patchbridge',
    actionName: 'x_pbridge_sync_windows',
    table: 'x_pbridge_window',
    active: true,
    list: { showBannerButton: true, style: 'primary' },
    roles: [adminRole],
    hint: 'Fills the registry from GET /v1/maintenance-windows for every account and region in x_pbridge.sync.targets or already listed.',
    script: syncWindows,
})
