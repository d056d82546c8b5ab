// `k8ts scheduler --config FILE`: the file is read, defaulted and validated; errors name the
// file and the field.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSchedulerConfigFile } from '../../src/cli/scheduler-command.js';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-sched-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('scheduler --config', () => {
  test('a valid file gives its profiles', () => {
    const p = write('ok.yaml', 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: one\n- schedulerName: two\n');
    assert.deepEqual(readSchedulerConfigFile(p).profiles.map((x) => x.schedulerName), ['one', 'two']);
  });

  test('an invalid file is an error naming the file and the field', () => {
    const p = write('bad.yaml', 'profiles:\n- schedulerName: one\n  plugins:\n    score:\n      enabled:\n      - name: NoSuchPlugin\n');
    assert.throws(() => readSchedulerConfigFile(p), (err: Error) => err.message.includes(p) && err.message.includes('profiles[0].plugins.score.enabled[0].name'));
  });

  test('a missing file says so', () => {
    assert.throws(() => readSchedulerConfigFile(join(dir, 'nope.yaml')), /cannot read scheduler configuration/);
  });
});
