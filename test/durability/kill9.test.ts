// Issue 2's durability requirement, fast edition: a few rounds of a write storm against
// `k8ts server`, each ended by kill -9 at a random moment, then restart on the same data dir and
// check that every 2xx write survived with its exact content, nothing refused left a trace, an
// unanswered write is all there or not at all, the sqlite file is intact, a watch resumed from
// its last resourceVersion fills exactly the gap to a fresh LIST, and revisions only go up.
// bench/durability.ts runs the same storm for 20 rounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runStorm } from './storm.js';

test('writes acknowledged before kill -9 survive restarts, refused ones leave no trace, and a resumed watch has no gap', async () => {
  const report = await runStorm({ rounds: 3, writers: 6, namesPerWriter: 6, killAfterAcks: [80, 400] });
  assert.deepEqual(report.problems, []);
  assert.equal(report.rounds.length, 3);
  for (const r of report.rounds) {
    assert.ok(r.acked >= 80, `round ${r.round} acknowledged only ${r.acked} writes`);
    // Every 2xx except those meant to be refused was matched to its event and content.
    assert.ok(r.verified > 0 && r.verified <= r.acked, `round ${r.round}: verified ${r.verified} of ${r.acked}`);
    assert.ok(r.revisionAfterRestart >= r.revisionBeforeKill, `round ${r.round}: revision went from ${r.revisionBeforeKill} to ${r.revisionAfterRestart}`);
  }
  for (let i = 1; i < report.rounds.length; i++) {
    assert.ok(report.rounds[i].revisionAfterRestart > report.rounds[i - 1].revisionAfterRestart, 'revision increases from round to round');
  }
  assert.equal(report.final.exitCode, 0);
});
