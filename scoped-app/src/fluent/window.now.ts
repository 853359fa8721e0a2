import '@servicenow/sdk/global'
import { BooleanColumn, ChoiceColumn, DateTimeColumn, ReferenceColumn, StringColumn, Table } from '@servicenow/sdk/core'

/** The registry of AWS maintenance windows and the change that gates each one. */
export const x_pbridge_window = Table({
    name: 'x_pbridge_window',
    label: 'patchbridge maintenance window',
    display: 'name',
    allowWebServiceAccess: true,
    audit: true,
    schema: {
        window_id: StringColumn({ label: 'Window id', maxLength: 20, mandatory: true }),
        account: StringColumn({ label: 'AWS account', maxLength: 12, mandatory: true }),
        region: StringColumn({ label: 'AWS region', maxLength: 32, mandatory: true }),
        name: StringColumn({ label: 'Name', maxLength: 128 }),
        schedule: StringColumn({ label: 'Schedule', maxLength: 256 }),
        enabled: BooleanColumn({ label: 'Enabled', default: false }),
        change_request: ReferenceColumn({ label: 'Gating change', referenceTable: 'change_request' }),
        last_execution_status: ChoiceColumn({
            label: 'Last execution status',
            choices: {
                PENDING: { label: 'Pending', sequence: 1 },
                IN_PROGRESS: { label: 'In progress', sequence: 2 },
                SUCCESS: { label: 'Success', sequence: 3 },
                FAILED: { label: 'Failed', sequence: 4 },
                TIMED_OUT: { label: 'Timed out', sequence: 5 },
                CANCELLING: { label: 'Cancelling', sequence: 6 },
                CANCELLED: { label: 'Cancelled', sequence: 7 },
                SKIPPED_OVERLAPPING: { label: 'Skipped (overlapping)', sequence: 8 },
            },
            maxLength: 24,
        }),
        last_execution_time: DateTimeColumn({ label: 'Last execution' }),
        gate_state: ChoiceColumn({
            label: 'Gate state',
            choices: {
                none: { label: 'None', sequence: 1 },
                scheduled: { label: 'Scheduled', sequence: 2 },
                open: { label: 'Open', sequence: 3 },
                expired: { label: 'Expired', sequence: 4 },
                revoked: { label: 'Revoked', sequence: 5 },
            },
            default: 'none',
            maxLength: 16,
        }),
        gate_result: StringColumn({ label: 'Last gate result', maxLength: 1000 }),
    },
    index: [{ name: 'window_account_region', unique: true, element: ['window_id', 'account', 'region'] }],
})
