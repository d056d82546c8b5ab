// Expectations: satisfied when absent, fulfilled or expired; deletions tracked per object.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/client/clock.js';
import { ControllerExpectations, UIDTrackingExpectations, expectationsTimeoutMs } from '../../../src/controllers/util/index.js';

describe('ControllerExpectations', () => {
  test('a key with no record is satisfied, so a fresh or restarted controller acts on its synced cache', () => {
    const e = new ControllerExpectations();
    assert.equal(e.satisfied('ns/rs'), true);
  });

  test('expected creations hold the key unsatisfied until each one is observed', () => {
    const e = new ControllerExpectations({ clock: new FakeClock() });
    e.expectCreations('ns/rs', 2);
    assert.equal(e.satisfied('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfied('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfied('ns/rs'), true);
  });

  test('unfulfilled expectations expire after five minutes so a lost event cannot wedge the controller', () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations({ clock });
    e.expectDeletions('ns/rs', 1);
    clock.step(expectationsTimeoutMs);
    assert.equal(e.satisfied('ns/rs'), false);
    clock.step(1);
    assert.equal(e.satisfied('ns/rs'), true);
  });

  test('lowering for failed writes and deleting the record both satisfy the key', () => {
    const e = new ControllerExpectations({ clock: new FakeClock() });
    e.set('a', 3, 0);
    e.lower('a', 3, 0);
    assert.equal(e.satisfied('a'), true);
    e.set('b', 0, 2);
    e.raise('b', 0, 1);
    assert.deepEqual({ add: e.get('b')?.add, del: e.get('b')?.del }, { add: 0, del: 3 });
    e.delete('b');
    assert.equal(e.satisfied('b'), true);
  });
});

describe('UIDTrackingExpectations', () => {
  test('each expected deletion is counted once even when the same pod is reported deleted twice', () => {
    const e = new UIDTrackingExpectations({ clock: new FakeClock() });
    e.expectDeletionsOf('ns/rs', ['ns/p1', 'ns/p2']);
    e.deletionObservedOf('ns/rs', 'ns/p1');
    e.deletionObservedOf('ns/rs', 'ns/p1');
    assert.equal(e.satisfied('ns/rs'), false);
    assert.deepEqual([...e.pendingDeletions('ns/rs')], ['ns/p2']);
    e.deletionObservedOf('ns/rs', 'ns/other');
    assert.equal(e.satisfied('ns/rs'), false);
    e.deletionObservedOf('ns/rs', 'ns/p2');
    assert.equal(e.satisfied('ns/rs'), true);
  });
});
