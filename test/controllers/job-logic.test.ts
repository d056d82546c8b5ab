// Pure logic of the Job and CronJob controllers: completed-index ranges, the pod-recreate backoff,
// pod failure policy matching, and cron schedule times in a zone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIndexes, parseIndexes, remainingBackoffMs, updateBackoffRecord, matchPodFailurePolicy } from '../../src/controllers/job/index.js';
import { nextScheduleTime, missedSchedules, parseSchedule, formatInZone, jobNameFor } from '../../src/controllers/cronjob/index.js';

describe('completed indexes', () => {
  for (const [set, text] of [
    [[], ''],
    [[0, 1, 2, 5], '0-2,5'],
    [[3, 1], '1,3'],
    [[0, 1, 3], '0-1,3'],
  ] as const) {
    test(`indexes ${JSON.stringify(set)} are written as "${text}" and parse back`, () => {
      assert.equal(formatIndexes(set), text);
      assert.deepEqual([...parseIndexes(text, 10)].sort(), [...set].sort());
    });
  }
  test('parsing drops indexes at or beyond completions', () => assert.deepEqual([...parseIndexes('1-4', 3)], [1, 2]));
});

describe('pod recreate backoff', () => {
  test('the delay doubles per failure after the last success and is capped', () => {
    let rec = updateBackoffRecord({ failuresAfterLastSuccess: 0 }, [], [1000]);
    assert.equal(remainingBackoffMs(rec, 1000, 10_000, 360_000), 10_000);
    rec = updateBackoffRecord(rec, [], [2000]);
    assert.equal(remainingBackoffMs(rec, 2000, 10_000, 360_000), 20_000);
    rec = { failuresAfterLastSuccess: 12, lastFailureTime: 0 };
    assert.equal(remainingBackoffMs(rec, 0, 10_000, 360_000), 360_000);
    rec = updateBackoffRecord(rec, [5000], []);
    assert.equal(remainingBackoffMs(rec, 5000), 0, 'a success resets the backoff');
  });
});

describe('pod failure policy', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, status: { phase: 'Failed', containerStatuses: [{ name: 'c', image: '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 3 } } }], conditions: [{ type: 'DisruptionTarget', status: 'True' }] } };
  test('the first matching rule decides, with upstream message', () => {
    const m = matchPodFailurePolicy({ rules: [{ action: 'Ignore', onPodConditions: [{ type: 'Other', status: 'True' }] }, { action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }] }, pod);
    assert.deepEqual(m, { action: 'FailJob', message: 'Container c for pod ns/p failed with exit code 3 matching FailJob rule at index 1' });
  });
  test('a pod condition rule matches', () => {
    assert.equal(matchPodFailurePolicy({ rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] }, pod)?.action, 'Ignore');
  });
});

describe('cron schedule times', () => {
  const at = (s: string) => Date.parse(s);
  test('@hourly fires at the top of the next hour', () => {
    const { schedule, tz } = parseSchedule('@hourly', 'UTC');
    assert.equal(nextScheduleTime(schedule, at('2024-03-01T10:15:00Z'), tz), at('2024-03-01T11:00:00Z'));
  });
  test('a schedule in a time zone follows that zone’s wall clock', () => {
    const { schedule, tz } = parseSchedule('30 9 * * *', 'America/New_York');
    assert.equal(nextScheduleTime(schedule, at('2024-07-01T00:00:00Z'), tz), at('2024-07-01T13:30:00Z'));
    assert.equal(formatInZone(at('2024-07-01T13:30:00Z'), tz), '2024-07-01T09:30:00-04:00');
  });
  test('day of month and day of week are ORed when both are restricted', () => {
    const { schedule } = parseSchedule('0 0 13 * 5', 'UTC');
    assert.equal(nextScheduleTime(schedule, at('2024-09-01T00:00:00Z'), 'UTC'), at('2024-09-06T00:00:00Z'));
  });
  test('more than 100 missed times are reported and the most recent is chosen', () => {
    const { schedule } = parseSchedule('* * * * *', 'UTC');
    const m = missedSchedules(schedule, at('2024-01-01T00:00:00Z'), at('2024-01-01T03:00:30Z'), 'UTC');
    assert.ok(m.missed > 100);
    assert.equal(m.mostRecent, at('2024-01-01T03:00:00Z'));
    assert.equal(m.next, at('2024-01-01T03:01:00Z'));
  });
  test('@every runs a constant period after the last run (whole seconds, at least one), not every minute', () => {
    const { schedule } = parseSchedule('@every 1h30m', 'UTC');
    assert.equal(nextScheduleTime(schedule, at('2024-01-01T00:00:00.500Z'), 'UTC'), at('2024-01-01T01:30:00Z'));
    const m = missedSchedules(schedule, at('2024-01-01T00:00:00Z'), at('2024-01-01T05:00:00Z'), 'UTC');
    assert.deepEqual(m, { mostRecent: at('2024-01-01T04:30:00Z'), missed: 3, next: at('2024-01-01T06:00:00Z') });
    const many = missedSchedules(parseSchedule('@every 10s', 'UTC').schedule, at('2024-01-01T00:00:00Z'), at('2024-01-01T01:00:05Z'), 'UTC');
    assert.equal(many.missed, 360);
    assert.equal(many.mostRecent, at('2024-01-01T01:00:00Z'));
    assert.equal(parseSchedule('@every 300ms', 'UTC').schedule.everyMs, 1000);
    assert.equal(parseSchedule('@every 2.5s', 'UTC').schedule.everyMs, 2000);
    assert.throws(() => parseSchedule('@every 5x', 'UTC'), /failed to parse duration @every 5x: time: invalid duration "5x"/);
  });
  test('Job names are the scheduled time in minutes since the epoch', () => assert.equal(jobNameFor('cj', at('2024-01-01T00:01:00Z')), `cj-${at('2024-01-01T00:01:00Z') / 60000}`));
});
