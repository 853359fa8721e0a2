/**
 * onSubmit of the patchbridge catalog items (one script for the three items:
 * it checks whichever of these variables the form has). Refuses malformed AWS
 * account ids, regions and change numbers before the request is submitted; the
 * server checks them again (src/server/patchbridge-app.ts) with the same patterns.
 */
function onSubmit() {
    var ACCOUNT_ID = /^\d{12}$/;
    var REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
    var CHANGE_NUMBER = /^CHG\d{7,}$/;
    var ok = true;

    function has(name) {
        return g_form.hasField(name);
    }
    function text(name) {
        return String(g_form.getValue(name) || '').replace(/^\s+|\s+$/g, '');
    }
    function items(name) {
        var out = [];
        var parts = text(name).split(/[,\n]/);
        for (var i = 0; i < parts.length; i++) {
            var v = parts[i].replace(/^\s+|\s+$/g, '');
            if (v !== '') out.push(v);
        }
        return out;
    }
    function refuse(name, message) {
        g_form.showFieldMsg(name, message, 'error');
        ok = false;
    }
    function changeNumber(name) {
        var box = typeof g_form.getDisplayBox === 'function' ? g_form.getDisplayBox(name) : null;
        if (box && box.value !== undefined) return String(box.value);
        return String(g_form.getDisplayValue(name) || '');
    }

    function everyItem(name, pattern, message) {
        if (!has(name)) return;
        var values = items(name);
        for (var i = 0; i < values.length; i++) {
            if (!pattern.test(values[i])) return refuse(name, message + values[i]);
        }
    }

    g_form.hideAllFieldMsgs();
    if (has('account_id') && !ACCOUNT_ID.test(text('account_id'))) refuse('account_id', 'An AWS account id is 12 digits, e.g. 111122223333.');
    if (has('region') && !REGION.test(text('region'))) refuse('region', 'An AWS region looks like eu-west-1.');
    everyItem('accounts', ACCOUNT_ID, 'Each AWS account id is 12 digits, separated by commas: ');
    everyItem('regions', REGION, 'Each AWS region looks like eu-west-1, separated by commas: ');
    if (has('change_request') && text('change_request') !== '' && !CHANGE_NUMBER.test(changeNumber('change_request'))) {
        refuse('change_request', 'Choose a change request (CHG followed by at least 7 digits).');
    }
    if (has('period_days') && text('period_days') !== '') {
        var days = Number(text('period_days'));
        if (!(days >= 1 && days <= 366 && Math.floor(days) === days)) refuse('period_days', 'The period is 1 to 366 days.');
    }
    if (!ok) g_form.addErrorMessage('patchbridge: correct the fields marked in red.');
    return ok;
}
