import '@servicenow/sdk/global'
import { ChoiceColumn, DateTimeColumn, IntegerColumn, ReferenceColumn, StringColumn, Table, UrlColumn } from '@servicenow/sdk/core'

/**
 * One patch run requested from ServiceNow (an approved change, usually through
 * the ad hoc patching catalog item). patchbridge creates and updates it; the
 * status choices are patchbridge's run statuses, value for value.
 */
export const x_pbridge_patch_run = Table({
    name: 'x_pbridge_patch_run',
    label: 'patchbridge patch run',
    display: 'number',
    allowWebServiceAccess: true,
    audit: true,
    autoNumber: { prefix: 'PBR', number: 1000, numberOfDigits: 7 },
    schema: {
        number: StringColumn({ label: 'Number', maxLength: 40, readOnly: true, default: 'javascript:global.getNextObjNumberPadded();' }),
        run_id: StringColumn({ label: 'patchbridge run id', maxLength: 36 }),
        change_request: ReferenceColumn({ label: 'Change request', referenceTable: 'change_request' }),
        requested_item: ReferenceColumn({ label: 'Requested item', referenceTable: 'sc_req_item' }),
        account: StringColumn({ label: 'AWS account', maxLength: 12 }),
        region: StringColumn({ label: 'AWS region', maxLength: 32 }),
        operation: ChoiceColumn({
            label: 'Operation',
            choices: { Scan: { label: 'Scan', sequence: 1 }, Install: { label: 'Install', sequence: 2 } },
            dropdown: 'dropdown_without_none',
            maxLength: 16,
        }),
        targets: StringColumn({ label: 'Targets (JSON)', maxLength: 4000 }),
        reboot_option: ChoiceColumn({
            label: 'Reboot option',
            choices: { RebootIfNeeded: { label: 'Reboot if needed', sequence: 1 }, NoReboot: { label: 'No reboot', sequence: 2 } },
            dropdown: 'dropdown_without_none',
            maxLength: 16,
        }),
        execution_id: StringColumn({ label: 'SSM execution id', maxLength: 100 }),
        status: ChoiceColumn({
            label: 'Status',
            choices: {
                Pending: { label: 'Pending', sequence: 1 },
                InProgress: { label: 'In progress', sequence: 2 },
                Success: { label: 'Success', sequence: 3 },
                Failed: { label: 'Failed', sequence: 4 },
                TimedOut: { label: 'Timed out', sequence: 5 },
                Cancelling: { label: 'Cancelling', sequence: 6 },
                Cancelled: { label: 'Cancelled', sequence: 7 },
            },
            dropdown: 'dropdown_without_none',
            default: 'Pending',
            maxLength: 16,
        }),
        counts: StringColumn({ label: 'Instance counts (JSON)', maxLength: 1000 }),
        instances_total: IntegerColumn({ label: 'Instances targeted' }),
        instances_succeeded: IntegerColumn({ label: 'Instances succeeded' }),
        instances_failed: IntegerColumn({ label: 'Instances failed' }),
        instances_timed_out: IntegerColumn({ label: 'Instances timed out' }),
        instances_cancelled: IntegerColumn({ label: 'Instances cancelled' }),
        started_at: DateTimeColumn({ label: 'Started' }),
        completed_at: DateTimeColumn({ label: 'Completed' }),
        patchbridge_link: UrlColumn({ label: 'patchbridge link', maxLength: 1024 }),
    },
})
