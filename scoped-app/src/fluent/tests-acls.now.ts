import '@servicenow/sdk/global'
import { Test } from '@servicenow/sdk/core'
import { integrationRole } from './roles.now'

Test(
    {
        $id: Now.ID['atf-acl-no-role'],
        name: 'patchbridge tables refuse a user without patchbridge roles',
        description:
            'Creates and impersonates a user with no roles, then asserts through GlideRecordSecure that every operation (create, read, write, delete) on the staging table, x_pbridge_patch_run and x_pbridge_window is refused: the negative side of the app ACLs.',
        failOnServerError: true,
    },
    (atf) => {
        atf.server.createUser({ $id: Now.ID['atf-acl-no-role-user'], firstName: 'pb', lastName: 'norole', roles: [], impersonate: true })
        atf.server.runServerSideScript({
            $id: Now.ID['atf-acl-no-role-script'],
            jasmineVersion: '3.1',
            script: `var pbTables = ['x_pbridge_failure_import', 'x_pbridge_patch_run', 'x_pbridge_window'];
describe('a user without roles', function () {
    pbTables.forEach(function (table) {
        it('cannot create, read, write or delete ' + table, function () {
            var gr = new GlideRecordSecure(table);
            expect(gr.canCreate()).toBe(false);
            expect(gr.canRead()).toBe(false);
            expect(gr.canWrite()).toBe(false);
            expect(gr.canDelete()).toBe(false);
        });
    });
});
`,
        })
    }
)

Test(
    {
        $id: Now.ID['atf-acl-integration'],
        name: 'patchbridge integration role may load rows and write runs and windows, not delete them',
        description:
            'Creates and impersonates a user holding only x_pbridge.integration and asserts it may create staging rows and create, read and write x_pbridge_patch_run and x_pbridge_window, but may delete none of them: the positive side of the app ACLs, and their limit.',
        failOnServerError: true,
    },
    (atf) => {
        atf.server.createUser({
            $id: Now.ID['atf-acl-integration-user'],
            firstName: 'pb',
            lastName: 'integration',
            roles: [integrationRole],
            impersonate: true,
        })
        atf.server.runServerSideScript({
            $id: Now.ID['atf-acl-integration-script'],
            jasmineVersion: '3.1',
            script: `var pbTables = ['x_pbridge_failure_import', 'x_pbridge_patch_run', 'x_pbridge_window'];
describe('the integration role', function () {
    it('may load staging rows', function () {
        expect(new GlideRecordSecure('x_pbridge_failure_import').canCreate()).toBe(true);
    });
    ['x_pbridge_patch_run', 'x_pbridge_window'].forEach(function (table) {
        it('may create, read and write ' + table, function () {
            var gr = new GlideRecordSecure(table);
            expect(gr.canCreate()).toBe(true);
            expect(gr.canRead()).toBe(true);
            expect(gr.canWrite()).toBe(true);
        });
    });
    pbTables.forEach(function (table) {
        it('may not delete from ' + table, function () {
            expect(new GlideRecordSecure(table).canDelete()).toBe(false);
        });
    });
});
`,
        })
    }
)
