// Static pod manifests: parsing and the normalisation upstream applies (name-node, hash uid,
// config annotations, defaults), and the merge of sources into add/update/remove.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseManifest, staticPod } from '../../src/kubelet/config/static-pod.js';
import { PodSourceMerger } from '../../src/kubelet/config/pod-source.js';

const yaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: nginx\n';

describe('static pods', () => {
  it('are named NAME-NODE in namespace default with a stable hashed uid and config annotations', () => {
    const [raw] = parseManifest(yaml, 'web.yaml');
    const a = staticPod(raw, 'node1', 'file', '/etc/manifests/web.yaml');
    const b = staticPod(raw, 'node1', 'file', '/etc/manifests/web.yaml');
    assert.equal(a.metadata?.name, 'web-node1');
    assert.equal(a.metadata?.namespace, 'default');
    assert.match(a.metadata?.uid ?? '', /^[0-9a-f]{32}$/);
    assert.equal(a.metadata?.uid, b.metadata?.uid);
    assert.notEqual(staticPod(raw, 'node2', 'file', '/etc/manifests/web.yaml').metadata?.uid, a.metadata?.uid);
    assert.equal(a.metadata?.annotations?.['kubernetes.io/config.source'], 'file');
    assert.equal(a.metadata?.annotations?.['kubernetes.io/config.hash'], a.metadata?.uid);
    assert.equal(a.spec?.nodeName, 'node1');
    assert.equal(a.spec?.restartPolicy, 'Always');
    assert.equal(a.spec?.containers[0].terminationMessagePath, '/dev/termination-log');
    assert.deepEqual(a.spec?.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
  });

  it('parse Pod lists, several documents and JSON; reject other kinds', () => {
    assert.equal(parseManifest(`${yaml}---\n${yaml.replace('web', 'db')}`, 'x').length, 2);
    assert.equal(parseManifest(JSON.stringify({ kind: 'PodList', items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] }), 'x').length, 2);
    assert.throws(() => parseManifest('kind: Service\nmetadata:\n  name: s\n', 'svc.yaml'), /svc.yaml: kind Service is not a Pod/);
    assert.throws(() => staticPod({ spec: { containers: [] } }, 'n', 'file', 'f.yaml'), /no metadata.name/);
  });

  it('merge into updates for new and changed pods and removals for vanished ones', () => {
    const seen: string[] = [];
    const m = new PodSourceMerger({ onPodUpdate: (p) => seen.push(`update ${p.metadata?.name}`), onPodRemove: (p) => seen.push(`remove ${p.metadata?.name}`) });
    const p = (name: string, image = 'a'): Pod => ({ metadata: { name, uid: name }, spec: { containers: [{ name: 'c', image }] } });
    m.setSource('file', [p('x'), p('y')]);
    m.setSource('file', [p('x'), p('y', 'b')]);
    m.setSource('file', [p('y', 'b')]);
    assert.deepEqual(seen, ['update x', 'update y', 'update y', 'remove x']);
  });
});
