/**
 * PatchbridgeClient: the script include every other script (flows, UI actions,
 * background scripts, other apps) uses to call patchbridge. A thin wrapper over
 * the app's module src/server/patchbridge-client.ts, where the logic lives
 * (connection & credential alias x_pbridge.patchbridge, HMAC or OAuth 2.0,
 * retries of 429/503 honouring Retry-After with the same idempotency key).
 *
 *   var outcome = new x_pbridge.PatchbridgeClient().call({
 *       operation: 'custom', method: 'GET', path: '/v1/patch-runs?limit=5', body: '',
 *       attempt: 1, table: 'sc_req_item', sysId: current.getUniqueValue() });
 *   // outcome.kind: 'ok' | 'retrying' | 'refused' | 'failed'
 */
var PatchbridgeClient = Class.create();
PatchbridgeClient.prototype = {
    initialize: function () {
        this._client = require('x_pbridge/patchbridge-scoped-app/0.1.0/src/server/patchbridge-client.ts');
    },

    /** One attempt of a call; a 429/503 schedules the next one (event x_pbridge.call.retry). */
    call: function (call) {
        return this._client.callPatchbridge(call);
    },

    /** One work-note line for an outcome. */
    describe: function (what, outcome) {
        return this._client.describeOutcome(what, outcome);
    },

    type: 'PatchbridgeClient',
};
