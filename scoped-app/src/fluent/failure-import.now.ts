import '@servicenow/sdk/global'
import { ImportSet, StringColumn, Table } from '@servicenow/sdk/core'
import { matchOpenIncidents, resolveAssignmentGroup, resolveChange, resolveCi } from '../server/failure-import'

/**
 * Staging table patchbridge posts to through the Import Set API
 * (`POST /api/now/import/x_pbridge_failure_import`). Its columns are exactly
 * what patchbridge sends; the lengths are those of the incident fields they land in.
 */
export const x_pbridge_failure_import = Table({
    name: 'x_pbridge_failure_import',
    label: 'patchbridge failure import',
    extends: 'sys_import_set_row',
    allowWebServiceAccess: true,
    accessibleFrom: 'package_private',
    schema: {
        correlation_id: StringColumn({ label: 'Correlation ID', maxLength: 100 }),
        correlation_display: StringColumn({ label: 'Correlation display', maxLength: 100 }),
        short_description: StringColumn({ label: 'Short description', maxLength: 160 }),
        description: StringColumn({ label: 'Description', maxLength: 4000 }),
        impact: StringColumn({ label: 'Impact', maxLength: 1 }),
        urgency: StringColumn({ label: 'Urgency', maxLength: 1 }),
        assignment_group: StringColumn({ label: 'Assignment group (name or sys_id)', maxLength: 80 }),
        instance_ids: StringColumn({ label: 'Instance ids', maxLength: 4000 }),
        account: StringColumn({ label: 'AWS account', maxLength: 12 }),
        region: StringColumn({ label: 'AWS region', maxLength: 32 }),
        patch_group: StringColumn({ label: 'Patch group', maxLength: 256 }),
        execution_id: StringColumn({ label: 'Execution id', maxLength: 100 }),
        change_request: StringColumn({ label: 'Change request number', maxLength: 40 }),
        work_note: StringColumn({ label: 'Work note', maxLength: 16000 }),
        cmdb_ci: StringColumn({ label: 'Configuration item (sys_id or name)', maxLength: 255 }),
        close_code: StringColumn({ label: 'Resolution code (resolve rows only)', maxLength: 40 }),
        close_notes: StringColumn({ label: 'Resolution notes (resolve rows only)', maxLength: 4000 }),
    },
})

/**
 * The transform map to incident. Coalesces on `correlation_id` (a real coalesce
 * field, so ServiceNow serialises rows with the same key) together with
 * `active=true`, so only open or Resolved incidents match and a Closed one is
 * followed by a new incident. The map script (`checkFailureRow`) refuses an empty
 * or malformed key and reopens a Resolved match with a work note; a resolve row
 * (with a close code) resolves an open match and is ignored otherwise.
 */
export const failureImportMap = ImportSet({
    $id: Now.ID['failure-import-map'],
    name: 'patchbridge failure import to incident',
    sourceTable: 'x_pbridge_failure_import',
    targetTable: 'incident',
    active: true,
    runBusinessRules: true,
    copyEmptyFields: false,
    createOnEmptyCoalesce: false,
    enforceMandatoryFields: 'no',
    fields: {
        correlation_id: { sourceField: 'correlation_id', coalesce: true, coalesceCaseSensitive: true, coalesceEmptyFields: false },
        active: { useSourceScript: true, sourceScript: matchOpenIncidents, coalesce: true },
        correlation_display: 'correlation_display',
        short_description: 'short_description',
        description: 'description',
        impact: { sourceField: 'impact', choiceAction: 'reject' },
        urgency: { sourceField: 'urgency', choiceAction: 'reject' },
        assignment_group: { sourceField: 'assignment_group', useSourceScript: true, sourceScript: resolveAssignmentGroup },
        cmdb_ci: { sourceField: 'cmdb_ci', useSourceScript: true, sourceScript: resolveCi },
        rfc: { sourceField: 'change_request', useSourceScript: true, sourceScript: resolveChange },
        work_notes: 'work_note',
    },
    runScript: true,
    script: `(function transformRow(source, target, map, log, isUpdate) {
    // The lifecycle lives in a module so Node tests run the same code (src/server/failure-import.ts).
    var verdict = require('x_pbridge/patchbridge-scoped-app/0.1.0/src/server/failure-import.ts').checkFailureRow(source, target, isUpdate);
    if (verdict.refused) {
        error = true;
        error_message = verdict.message;
        status_message = verdict.message;
        log.error(verdict.message);
    } else if (verdict.ignored) {
        ignore = true;
        status_message = verdict.message;
    } else if (verdict.message) {
        status_message = verdict.message;
    }
})(source, target, map, log, action === 'update');`,
})
