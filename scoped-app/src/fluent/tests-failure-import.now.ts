import '@servicenow/sdk/global'
import { Test } from '@servicenow/sdk/core'

// What only an instance can prove: the real transform engine coalesces on
// correlation_id among active incidents and runs the map script. Each step loads
// rows the way the Import Set API does (an import set, a staging row, a
// synchronous transform) and asserts on the incidents that result.
Test(
    {
        $id: Now.ID['atf-transform-lifecycle'],
        name: 'patchbridge failure import follows the incident lifecycle',
        description:
            'Loads x_pbridge_failure_import rows with one correlation_id through the transform map and asserts: a second row updates the open incident; a row for a Resolved incident reopens it (state In Progress) with a work note; a row for a Closed incident opens a new one; an empty key is refused (row state error) and opens nothing.',
        failOnServerError: true,
    },
    (atf) => {
        atf.server.runServerSideScript({
            $id: Now.ID['atf-transform-lifecycle-script'],
            jasmineVersion: '3.1',
            script: `function pbLoad(values) {
    var set = new GlideRecord('sys_import_set');
    set.initialize();
    set.setValue('table_name', 'x_pbridge_failure_import');
    set.setValue('mode', 'synchronous');
    set.insert();
    var row = new GlideRecord('x_pbridge_failure_import');
    row.initialize();
    row.setValue('sys_import_set', set.getUniqueValue());
    for (var k in values) row.setValue(k, values[k]);
    var rowId = row.insert();
    var transformer = new GlideImportSetTransformer();
    transformer.setSyncImport(true);
    transformer.transformAllMaps(set);
    row = new GlideRecord('x_pbridge_failure_import');
    row.get(rowId);
    return { state: row.getValue('sys_import_state'), target: row.getValue('sys_target_sys_id') };
}
function pbIncidents(key) {
    var inc = new GlideRecord('incident');
    inc.addQuery('correlation_id', key);
    inc.orderBy('sys_created_on');
    inc.query();
    var out = [];
    while (inc.next()) out.push({ id: inc.getUniqueValue(), state: inc.getValue('state'), active: inc.getValue('active') });
    return out;
}
describe('failure import transform', function () {
    var key = 'pb-atf:' + gs.generateGUID();
    it('creates one incident, then updates it while it is open', function () {
        expect(pbLoad({ correlation_id: key, short_description: 'first', work_note: 'one' }).state).toBe('inserted');
        expect(pbLoad({ correlation_id: key, short_description: 'second', work_note: 'two' }).state).toBe('updated');
        var all = pbIncidents(key);
        expect(all.length).toBe(1);
    });
    it('reopens a Resolved incident with a work note', function () {
        var inc = new GlideRecord('incident');
        inc.get(pbIncidents(key)[0].id);
        inc.setValue('state', 6);
        inc.setValue('close_code', 'Solution provided');
        inc.setValue('close_notes', 'patched by hand');
        inc.update();
        expect(pbLoad({ correlation_id: key, work_note: 'three' }).state).toBe('updated');
        var all = pbIncidents(key);
        expect(all.length).toBe(1);
        expect(all[0].state).toBe('2');
        var note = new GlideRecord('sys_journal_field');
        note.addQuery('element_id', all[0].id);
        note.addQuery('element', 'work_notes');
        note.addQuery('value', 'CONTAINS', 'Reopened by patchbridge');
        note.query();
        expect(note.hasNext()).toBe(true);
    });
    it('opens a new incident when the last one is Closed', function () {
        var inc = new GlideRecord('incident');
        inc.get(pbIncidents(key)[0].id);
        inc.setValue('state', 7);
        inc.setValue('close_code', 'Solution provided');
        inc.setValue('close_notes', 'closed');
        inc.update();
        expect(pbLoad({ correlation_id: key, short_description: 'again' }).state).toBe('inserted');
        var all = pbIncidents(key);
        expect(all.length).toBe(2);
        expect(all[1].active).toBe('1');
    });
    it('refuses an empty key and touches no incident', function () {
        var before = new GlideAggregate('incident');
        before.addAggregate('COUNT');
        before.query();
        before.next();
        var count = before.getAggregate('COUNT');
        var result = pbLoad({ correlation_id: '', short_description: 'no key' });
        expect(result.state).toBe('error');
        expect(result.target).toBeFalsy();
        var after = new GlideAggregate('incident');
        after.addAggregate('COUNT');
        after.query();
        after.next();
        expect(after.getAggregate('COUNT')).toBe(count);
    });
});
`,
        })
    }
)
