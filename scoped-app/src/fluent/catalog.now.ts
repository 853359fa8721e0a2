import '@servicenow/sdk/global'
import {
    CatalogClientScript,
    CatalogUiPolicy,
    CatalogItem,
    CheckboxVariable,
    ListCollectorVariable,
    Record,
    ReferenceVariable,
    SelectBoxVariable,
    SingleLineTextVariable,
} from '@servicenow/sdk/core'
import { ADHOC_ITEM_NAME, GATE_ITEM_NAME, REPORT_ITEM_NAME } from './rules.now'

/** The out-of-box *Service Catalog* (sc_catalog), present on every instance. */
const SERVICE_CATALOG = 'e0d08b13c3330100c8b837659bba8fb4'

/** Approved, Scheduled or Implement, and its planned window not yet ended: what patchbridge accepts. */
const PATCHABLE_CHANGE = 'approval=approved^stateIN-2,-1^end_dateRELATIVEGT@minute@ago@0^EQ'

export const cloudPatching = Record({
    $id: Now.ID['category-cloud-patching'],
    table: 'sc_category',
    data: {
        title: 'Cloud patching',
        description: 'Patch AWS EC2 instances under an approved change, gate maintenance windows and get compliance reports, through patchbridge.',
        sc_catalog: SERVICE_CATALOG,
        active: true,
    },
})

export const adhocPatching = CatalogItem({
    $id: Now.ID['item-adhoc-patching'],
    name: ADHOC_ITEM_NAME,
    shortDescription: 'Scan or patch EC2 instances now, under an approved change',
    description:
        'patchbridge starts an AWS Systems Manager patch run (Scan or Install) on the patch groups or instances you choose, under an approved change in Scheduled or Implement whose planned window has not ended. The request follows the run and closes when it finishes.',
    catalogs: [SERVICE_CATALOG],
    categories: [cloudPatching],
    requestMethod: 'request',
    hideQuantitySelector: true,
    hideAddToCart: true,
    variables: {
        change_request: ReferenceVariable({
            question: 'Change request',
            referenceTable: 'change_request',
            referenceQualCondition: PATCHABLE_CHANGE,
            mandatory: true,
            order: 100,
            helpText: 'Approved, Scheduled or Implement, planned window not yet ended.',
        }),
        account_id: SingleLineTextVariable({ question: 'AWS account id', mandatory: true, order: 200, exampleText: '111122223333' }),
        region: SingleLineTextVariable({ question: 'AWS region', mandatory: true, order: 300, exampleText: 'eu-west-1' }),
        target_type: SelectBoxVariable({
            question: 'Targets',
            mandatory: true,
            order: 400,
            choices: {
                patch_groups: { label: 'Patch groups', sequence: 1 },
                instances: { label: 'EC2 instances (CIs)', sequence: 2 },
            },
            defaultValue: 'patch_groups',
        }),
        patch_groups: SingleLineTextVariable({ question: 'Patch groups (comma-separated)', order: 500, exampleText: 'web-prod, db-prod' }),
        instances: ListCollectorVariable({
            question: 'EC2 instances',
            listTable: 'cmdb_ci_vm_instance',
            referenceQual: 'install_status!=7^object_idSTARTSWITHi-^EQ',
            order: 600,
        }),
        add_affected_cis: CheckboxVariable({ question: "Add the targeted instances to the change's affected CIs", order: 650 }),
        operation: SelectBoxVariable({
            question: 'Operation',
            mandatory: true,
            order: 700,
            choices: { Scan: { label: 'Scan (report missing patches)', sequence: 1 }, Install: { label: 'Install', sequence: 2 } },
            defaultValue: 'Scan',
        }),
        reboot_option: SelectBoxVariable({
            question: 'Reboot',
            mandatory: true,
            order: 800,
            choices: { RebootIfNeeded: { label: 'Reboot if needed', sequence: 1 }, NoReboot: { label: 'No reboot', sequence: 2 } },
            defaultValue: 'RebootIfNeeded',
        }),
        max_concurrency: SingleLineTextVariable({ question: 'Max concurrency (number or %)', order: 900, defaultValue: '10%' }),
        max_errors: SingleLineTextVariable({ question: 'Max errors (number or %)', order: 1000, defaultValue: '0' }),
    },
})

export const complianceReport = CatalogItem({
    $id: Now.ID['item-compliance-report'],
    name: REPORT_ITEM_NAME,
    shortDescription: 'A patch compliance report (CSV, HTML, JSON) attached to your request',
    description:
        'patchbridge builds a compliance report over the days you choose for the accounts, regions and patch groups you name (all, when left empty), and attaches the files and a summary to this request.',
    catalogs: [SERVICE_CATALOG],
    categories: [cloudPatching],
    requestMethod: 'request',
    hideQuantitySelector: true,
    hideAddToCart: true,
    variables: {
        accounts: SingleLineTextVariable({ question: 'AWS account ids (comma-separated; empty = all)', order: 100 }),
        regions: SingleLineTextVariable({ question: 'AWS regions (comma-separated; empty = all)', order: 200 }),
        patch_groups: SingleLineTextVariable({ question: 'Patch groups (comma-separated; empty = all)', order: 300 }),
        period_days: SingleLineTextVariable({ question: 'Period in days (1-366)', order: 400, defaultValue: '30' }),
        format_csv: CheckboxVariable({ question: 'CSV', order: 500, defaultValue: 'true' }),
        format_html: CheckboxVariable({ question: 'HTML', order: 600, defaultValue: 'true' }),
        format_json: CheckboxVariable({ question: 'JSON', order: 700, defaultValue: 'true' }),
    },
})

export const windowGate = CatalogItem({
    $id: Now.ID['item-window-gate'],
    name: GATE_ITEM_NAME,
    shortDescription: 'Let an approved change open a maintenance window',
    description:
        'Links a maintenance window from the registry to a change. patchbridge enables the window for the change\'s planned start..end; closing or cancelling the change shuts it again.',
    catalogs: [SERVICE_CATALOG],
    categories: [cloudPatching],
    requestMethod: 'request',
    hideQuantitySelector: true,
    hideAddToCart: true,
    variables: {
        window: ReferenceVariable({ question: 'Maintenance window', referenceTable: 'x_pbridge_window', mandatory: true, order: 100 }),
        change_request: ReferenceVariable({
            question: 'Change request',
            referenceTable: 'change_request',
            referenceQualCondition: PATCHABLE_CHANGE,
            mandatory: true,
            order: 200,
        }),
    },
})

CatalogClientScript({
    $id: Now.ID['cs-validate-adhoc'],
    name: 'patchbridge: refuse malformed account ids, regions and change numbers',
    type: 'onSubmit',
    script: Now.include('../client/catalog-validation.js'),
    catalogItem: adhocPatching,
    global: false,
    uiType: 'all',
    active: true,
    appliesOnCatalogItemView: true,
})

CatalogClientScript({
    $id: Now.ID['cs-validate-report'],
    name: 'patchbridge: refuse malformed account ids, regions and change numbers',
    type: 'onSubmit',
    script: Now.include('../client/catalog-validation.js'),
    catalogItem: complianceReport,
    global: false,
    uiType: 'all',
    active: true,
    appliesOnCatalogItemView: true,
})

CatalogClientScript({
    $id: Now.ID['cs-validate-gate'],
    name: 'patchbridge: refuse malformed account ids, regions and change numbers',
    type: 'onSubmit',
    script: Now.include('../client/catalog-validation.js'),
    catalogItem: windowGate,
    global: false,
    uiType: 'all',
    active: true,
    appliesOnCatalogItemView: true,
})

// The ad hoc item shows the target list its "Targets" choice names, and makes it mandatory.
CatalogUiPolicy({
    $id: Now.ID['uip-adhoc-patch-groups'],
    shortDescription: 'patchbridge: targets are patch groups',
    catalogItem: adhocPatching,
    catalogCondition: `${adhocPatching.variables.target_type}=patch_groups^EQ`,
    onLoad: true,
    reverseIfFalse: true,
    active: true,
    actions: [
        { variableName: adhocPatching.variables.patch_groups, visible: true, mandatory: true },
        { variableName: adhocPatching.variables.instances, visible: false },
        { variableName: adhocPatching.variables.add_affected_cis, visible: false },
    ],
})

CatalogUiPolicy({
    $id: Now.ID['uip-adhoc-instances'],
    shortDescription: 'patchbridge: targets are EC2 instance CIs',
    catalogItem: adhocPatching,
    catalogCondition: `${adhocPatching.variables.target_type}=instances^EQ`,
    onLoad: true,
    reverseIfFalse: true,
    active: true,
    actions: [
        { variableName: adhocPatching.variables.instances, visible: true, mandatory: true },
        { variableName: adhocPatching.variables.add_affected_cis, visible: true },
        { variableName: adhocPatching.variables.patch_groups, visible: false },
    ],
})
