// DeschedulerPolicy loading: upstream's defaults and its validation messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicy, PolicyError } from '../../src/descheduler/policy/load.js';
import { inTreeRegistry } from '../../src/descheduler/plugins/registry.js';

const load = (text: string) => loadPolicy(text, inTreeRegistry());
const errorsOf = (text: string) => {
  try {
    load(text);
  } catch (err) {
    assert.ok(err instanceof PolicyError);
    return err.errors;
  }
  assert.fail('expected a PolicyError');
};
const head = 'apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\n';

test('defaults: DefaultEvictor filters and pre-filters every profile with its default args; enabled plugins get default args', () => {
  const p = load(`${head}profiles:\n- name: p\n  plugins:\n    deschedule: {enabled: [RemovePodsViolatingNodeTaints]}\n`);
  const prof = p.profiles[0]!;
  assert.deepEqual(prof.plugins.filter.enabled, ['DefaultEvictor']);
  assert.deepEqual(prof.plugins.preEvictionFilter.enabled, ['DefaultEvictor']);
  const de = prof.pluginConfig.find((c) => c.name === 'DefaultEvictor')!.args;
  assert.equal(de.evictLocalStoragePods, false);
  assert.equal(de.evictSystemCriticalPods, false);
  assert.ok(prof.pluginConfig.some((c) => c.name === 'RemovePodsViolatingNodeTaints'));
});

test('RemovePodsViolatingTopologySpreadConstraint defaults: hard constraints only, topologyBalanceNodeFit on', () => {
  const p = load(`${head}profiles:\n- name: p\n  plugins:\n    balance: {enabled: [RemovePodsViolatingTopologySpreadConstraint]}\n`);
  const args = p.profiles[0]!.pluginConfig.find((c) => c.name === 'RemovePodsViolatingTopologySpreadConstraint')!.args;
  assert.deepEqual(args.constraints, ['DoNotSchedule']);
  assert.equal(args.topologyBalanceNodeFit, true);
});

test('upstream\'s lowercase "preevictionfilter" key is accepted as Go\'s decoder does', () => {
  const p = load(`${head}profiles:\n- name: p\n  plugins:\n    preevictionfilter: {disabled: ["*"]}\n`);
  assert.deepEqual(p.profiles[0]!.plugins.preEvictionFilter.enabled, []);
});

test('validation errors name the profile and the problem', () => {
  assert.deepEqual(errorsOf(`${head}profiles:\n- name: p\n  pluginConfig: [{name: Nope, args: {}}]\n`), ['in profile p: plugin Nope in pluginConfig not registered']);
  assert.deepEqual(errorsOf(`${head}profiles:\n- name: p\n  plugins: {deschedule: {enabled: [Nope]}}\n`), ['profile "p" configures deschedule extension point of non-existing plugins: [Nope]']);
  assert.deepEqual(errorsOf(`${head}profiles:\n- name: p\n  pluginConfig: [{name: DefaultEvictor, args: {priorityThreshold: {value: 1, name: x}}}]\n`), ['in profile p: priority threshold misconfigured, only one of priorityThreshold fields can be set']);
  assert.deepEqual(errorsOf(`${head}profiles:\n- name: p\n  pluginConfig: [{name: RemovePodsViolatingNodeTaints, args: {namespaces: {include: [a], exclude: [b]}}}]\n`), ['in profile p: only one of Include/Exclude namespaces can be set']);
  assert.deepEqual(errorsOf(`${head}profiles:\n- name: p\n  pluginConfig: [{name: PodLifeTime, args: {}}]\n`), ['in profile p: MaxPodLifeTimeSeconds not set']);
  assert.deepEqual(errorsOf(`${head}profiles:\n- name: p\n  pluginConfig: [{name: LowNodeUtilization, args: {thresholds: {cpu: 120}, targetThresholds: {cpu: 50}}}]\n`), ['in profile p: thresholds config is not valid: cpu threshold not in [0, 100] range']);
  assert.deepEqual(errorsOf(`${head}profiles:\n- name: p\n  pluginConfig: [{name: RemovePodsViolatingNodeAffinity, args: {}}]\n`), ['in profile p: nodeAffinityType needs to be set']);
  assert.deepEqual(errorsOf(`${head}profiles:\n- name: p\n  pluginConfig: [{name: RemovePodsViolatingTopologySpreadConstraint, args: {constraints: [Sometimes]}}]\n`), ['in profile p: constraint Sometimes is not one of map[DoNotSchedule:{} ScheduleAnyway:{}]']);
  assert.match(errorsOf('apiVersion: descheduler/v1alpha1\nkind: DeschedulerPolicy\n')[0]!, /no kind "DeschedulerPolicy" is registered for version "descheduler\/v1alpha1"/);
  assert.match(errorsOf(`${head}maxNoOfPodsToEvictPerNode: -1\n`)[0]!, /maxNoOfPodsToEvictPerNode/);
});
