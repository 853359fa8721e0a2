import '@servicenow/sdk/global'
import { Test } from '@servicenow/sdk/core'

// "Request a patch compliance report" (sc_cat_item 725bcfb2…) and its variables accounts (IO:547f4a39…)
// and regions (IO:5671bafa…): sys_ids fixed by src/fluent/generated/keys.ts, written out because ATF
// inputs must be literals; test/scoped-app/app-build.test.ts checks them against the build. It is the
// item without mandatory variables, so a refused submit can only come from the validation.

Test(
    {
        $id: Now.ID['atf-catalog-validation'],
        name: 'patchbridge catalog items refuse malformed account ids and regions before submit',
        description:
            'Opens "Request a patch compliance report" in the catalog and orders it three times: with a region name instead of a code and with an 11-digit account id the onSubmit script refuses it in the browser; with well-formed values it is submitted.',
        failOnServerError: true,
    },
    (atf) => {
        atf.catalog.openCatalogItem({ $id: Now.ID['atf-catalog-open-1'], catalogItem: '725bcfb238d4418ca0064ffbb9b29dce' })
        atf.catalog.setVariableValue({
            $id: Now.ID['atf-catalog-bad-region'],
            catalogItem: '725bcfb238d4418ca0064ffbb9b29dce',
            variableValues: 'IO:5671bafa944b4ba089fcd616119a4c05=Ireland^EQ',
        })
        atf.catalog.orderCatalogItem({ $id: Now.ID['atf-catalog-order-refused-1'], assert: 'form_submission_cancelled_in_browser' })
        atf.catalog.openCatalogItem({ $id: Now.ID['atf-catalog-open-2'], catalogItem: '725bcfb238d4418ca0064ffbb9b29dce' })
        atf.catalog.setVariableValue({
            $id: Now.ID['atf-catalog-bad-account'],
            catalogItem: '725bcfb238d4418ca0064ffbb9b29dce',
            variableValues: 'IO:547f4a3947ae48b49ce7ed38e961540e=11112222333^EQ',
        })
        atf.catalog.orderCatalogItem({ $id: Now.ID['atf-catalog-order-refused-2'], assert: 'form_submission_cancelled_in_browser' })
        atf.catalog.openCatalogItem({ $id: Now.ID['atf-catalog-open-3'], catalogItem: '725bcfb238d4418ca0064ffbb9b29dce' })
        atf.catalog.setVariableValue({
            $id: Now.ID['atf-catalog-good'],
            catalogItem: '725bcfb238d4418ca0064ffbb9b29dce',
            variableValues: 'IO:547f4a3947ae48b49ce7ed38e961540e=111122223333^IO:5671bafa944b4ba089fcd616119a4c05=eu-west-1^EQ',
        })
        atf.catalog.orderCatalogItem({ $id: Now.ID['atf-catalog-order-ok'], assert: 'form_submitted_to_server' })
    }
)

Test(
    {
        $id: Now.ID['atf-change-rule'],
        name: 'patchbridge change approval rule fires when a change linked to a window is approved',
        description:
            'Links a window to a change awaiting approval, approves it, and asserts the async rule "patchbridge: change approval gates windows" was queued for that change (or already ran and recorded its result on the window); an edit that touches neither approval nor state queues nothing.',
        failOnServerError: true,
    },
    (atf) => {
        atf.server.runServerSideScript({
            $id: Now.ID['atf-change-rule-script'],
            jasmineVersion: '3.1',
            script: `var RULE = 'ASYNC: patchbridge: change approval gates windows';
function queuedFor(changeId) {
    var t = new GlideRecord('sys_trigger');
    t.addQuery('name', RULE);
    t.addQuery('document_key', changeId);
    t.query();
    return t.getRowCount();
}
describe('the change approval rule', function () {
    var change = new GlideRecord('change_request');
    change.initialize();
    change.setValue('short_description', 'patchbridge ATF: approval gates a window');
    change.setValue('state', '-3');
    change.setValue('approval', 'requested');
    var changeId = change.insert();
    var win = new GlideRecord('x_pbridge_window');
    win.initialize();
    win.setValue('window_id', 'mw-0a1b2c3d4e5f60718');
    win.setValue('account', '111122223333');
    win.setValue('region', 'eu-west-1');
    win.setValue('name', 'patchbridge ATF window');
    win.setValue('change_request', changeId);
    var winId = win.insert();

    it('does not fire on an edit that touches neither approval nor state', function () {
        change.setValue('short_description', 'patchbridge ATF: edited');
        change.update();
        expect(queuedFor(changeId)).toBe(0);
    });

    it('fires when the change is approved', function () {
        change.setValue('approval', 'approved');
        change.setValue('state', '-2');
        change.update();
        var ran = new GlideRecord('x_pbridge_window');
        ran.get(winId);
        expect(queuedFor(changeId) > 0 || String(ran.getValue('gate_result') || '') !== '').toBe(true);
    });
});
`,
        })
    }
)
