// KubeSchedulerConfiguration: upstream's defaults, merging a profile's plugins into them,
// pluginConfig, extenders, and validation errors that name the field.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSchedulerConfig, SchedulerConfigError } from '../../src/scheduler/config/load.js';
import { defaultConfiguration, mergePluginSet } from '../../src/scheduler/config/defaults.js';
import { inTreeRegistry } from '../../src/scheduler/plugins/registry.js';
import { numFeasibleNodesToFind, selectHost } from '../../src/scheduler/scheduler.js';
import { NodeInfo } from '../../src/scheduler/framework/node-info.js';
import { makeNode } from './fixtures.js';

const known = (n: string) => inTreeRegistry().has(n) || ['Custom', 'Other'].includes(n);
const load = (text: string) => loadSchedulerConfig(text, known);
const errorsOf = (text: string): string[] => {
  try {
    load(text);
  } catch (err) {
    assert.ok(err instanceof SchedulerConfigError);
    return err.fieldErrors;
  }
  assert.fail('expected a validation error');
};

describe('scheduler configuration', () => {
  test('defaults: one default-scheduler profile with upstream plugins and weights, volume plugins skipped', () => {
    const cfg = defaultConfiguration(known);
    assert.equal(cfg.percentageOfNodesToScore, 0);
    assert.equal(cfg.profiles.length, 1);
    const p = cfg.profiles[0];
    assert.equal(p.schedulerName, 'default-scheduler');
    const weights = Object.fromEntries(p.plugins.multiPoint.enabled.filter((r) => r.weight).map((r) => [r.name, r.weight]));
    for (const [name, w] of Object.entries({ TaintToleration: 3, NodeAffinity: 2, InterPodAffinity: 2, NodeResourcesFit: 1, NodeResourcesBalancedAllocation: 1, ImageLocality: 1 })) {
      assert.equal(weights[name], w, name);
    }
    assert.ok(!p.plugins.multiPoint.enabled.some((r) => r.name === 'VolumeBinding'));
    assert.deepEqual(load('').profiles[0].plugins, p.plugins, 'an empty file is the default');
  });

  test('a profile disables and re-weights default plugins and adds its own, keeping default order', () => {
    const cfg = load(`
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
profiles:
- schedulerName: a
  percentageOfNodesToScore: 70
  plugins:
    multiPoint:
      enabled:
      - name: Custom
      - name: TaintToleration
        weight: 9
      disabled:
      - name: ImageLocality
    score:
      disabled:
      - name: '*'
  pluginConfig:
  - name: NodeResourcesFit
    args:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: NodeResourcesFitArgs
      scoringStrategy:
        type: MostAllocated
- schedulerName: b
`);
    assert.equal(cfg.percentageOfNodesToScore, 30);
    const [a, b] = cfg.profiles;
    assert.equal(a.percentageOfNodesToScore, 70);
    const mp = a.plugins.multiPoint.enabled.map((r) => r.name);
    assert.ok(!mp.includes('ImageLocality'));
    assert.equal(mp[mp.length - 1], 'Custom', 'custom plugins are appended');
    assert.equal(a.plugins.multiPoint.enabled.find((r) => r.name === 'TaintToleration')!.weight, 9);
    assert.ok(mp.indexOf('TaintToleration') < mp.indexOf('NodeAffinity'), 'a re-configured default keeps its place');
    assert.deepEqual(a.plugins.score.disabled, [{ name: '*' }]);
    assert.deepEqual(a.pluginConfig, [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }]);
    assert.equal(b.plugins.multiPoint.enabled.length, defaultConfiguration(known).profiles[0].plugins.multiPoint.enabled.length);
  });

  test('mergePluginSet: "*" drops every default', () => {
    const merged = mergePluginSet({ enabled: [{ name: 'A' }, { name: 'B' }], disabled: [] }, { enabled: [{ name: 'C' }], disabled: [{ name: '*' }] });
    assert.deepEqual(merged.enabled, [{ name: 'C' }]);
  });

  test('extenders are read with their verbs and options', () => {
    const cfg = load(`
extenders:
- urlPrefix: http://127.0.0.1:8888/sched
  filterVerb: filter
  prioritizeVerb: prioritize
  weight: 5
  bindVerb: bind
  nodeCacheCapable: true
  ignorable: true
  httpTimeout: 2s
  managedResources:
  - name: example.com/gpu
    ignoredByScheduler: true
`);
    assert.equal(cfg.extenders.length, 1);
    assert.equal(cfg.extenders[0].weight, 5);
    assert.equal(cfg.extenders[0].nodeCacheCapable, true);
    assert.equal(cfg.extenders[0].managedResources![0].name, 'example.com/gpu');
  });

  test('validation errors name the field', () => {
    const cases: [string, RegExp][] = [
      ['apiVersion: kubescheduler.config.k8s.io/v1beta1', /^apiVersion: Unsupported value/],
      ['percentageOfNodesToScore: 120', /^percentageOfNodesToScore: Invalid value: 120/],
      ['profiles:\n- schedulerName: a\n- schedulerName: a', /^profiles\[1\]\.schedulerName: Duplicate value: "a"/],
      ['profiles:\n- schedulerName: a\n- plugins: {}', /^profiles\[1\]\.schedulerName: Required value/],
      ['profiles:\n- plugins:\n    filter:\n      enabled:\n      - name: Nope', /^profiles\[0\]\.plugins\.filter\.enabled\[0\]\.name: Invalid value: "Nope": plugin does not exist/],
      ['profiles:\n- plugins:\n    filter:\n      enabled:\n      - name: VolumeBinding', /plugin is not available in k8ts/],
      ['profiles:\n- plugins:\n    score:\n      enabled:\n      - name: Custom\n        weight: 1000', /^profiles\[0\]\.plugins\.score\.enabled\[0\]\.weight: Invalid value: 1000/],
      ['profiles:\n- pluginConfig:\n  - name: X\n  - name: X', /^profiles\[0\]\.pluginConfig\[1\]\.name: Duplicate value: "X"/],
      ['profiles:\n- schedulerName: a\n- schedulerName: b\n  plugins:\n    queueSort:\n      enabled:\n      - name: Other\n      disabled:\n      - name: "*"', /^profiles\[1\]\.plugins\.queueSort: Invalid value: queueSort must be the same/],
      ['extenders:\n- urlPrefix: http://x\n  prioritizeVerb: p', /^extenders\[0\]\.weight: Invalid value: 0: must have a positive weight/],
      ['extenders:\n- filterVerb: f', /^extenders\[0\]\.urlPrefix: Required value/],
      ['extenders:\n- urlPrefix: http://a\n  bindVerb: b\n- urlPrefix: http://b\n  bindVerb: b', /^extenders: Invalid value: found 2 extenders implementing bind/],
      ['podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 2', /^podMaxBackoffSeconds: Invalid value: 2/],
      ['profiles: [', /^cannot parse/],
      ['percentageOfNodesToscore: 10', /^percentageOfNodesToscore: Invalid value: unknown field "percentageOfNodesToscore"/],
      ['profiles:\n- schedulerName: a\n  plugin: {}', /^profiles\[0\]\.plugin: Invalid value: unknown field "plugin"/],
    ];
    for (const [text, re] of cases) {
      const errs = errorsOf(text);
      assert.ok(errs.some((e) => re.test(e)), `${JSON.stringify(text)} → ${JSON.stringify(errs)}`);
    }
  });
});

describe('node selection', () => {
  test('numFeasibleNodesToFind: all below 100 nodes; adaptive 50 - n/125 percent, at least 5% and 100 nodes', () => {
    assert.equal(numFeasibleNodesToFind(0, 50), 50);
    assert.equal(numFeasibleNodesToFind(0, 100), 100);
    assert.equal(numFeasibleNodesToFind(0, 1000), 420);
    assert.equal(numFeasibleNodesToFind(0, 5000), 500);
    assert.equal(numFeasibleNodesToFind(0, 10000), 500);
    assert.equal(numFeasibleNodesToFind(0, 200), 100);
    assert.equal(numFeasibleNodesToFind(30, 5000), 1500);
    assert.equal(numFeasibleNodesToFind(100, 5000), 5000);
  });

  test('selectHost picks the highest score and breaks ties at random', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((n) => new NodeInfo(makeNode(n)));
    assert.equal(selectHost(nodes, [1, 9, 3, 2]), 'b');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(selectHost(nodes, [5, 9, 9, 9]));
    assert.deepEqual([...seen].sort(), ['b', 'c', 'd']);
  });
});
