import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFuzz } from './support/fuzz.js';

describe('fuzzing the hub protocol', () => {
  it('random and mutated frames of every type, over WebSockets and Long Polling, in JSON and MessagePack, harm no one else', async () => {
    // A fixed seed and a bounded count keep `npm test` repeatable; `npm run fuzz -- --cases N` runs longer.
    const report = await runFuzz({ seed: 20261206, cases: 300 });
    assert.equal(report.healthChecks, 300);
    assert.ok(report.serverClosedConnections > 30, `${report.serverClosedConnections} connections were closed by the server: the cases reach its error paths`);
  });
});
