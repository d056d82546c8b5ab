// The AdmissionReview a webhook is sent and what its answer means, as upstream builds and
// verifies them: the review version the webhook prefers, Go's omitempty fields and null objects,
// v1's strict checks of uid, apiVersion/kind and patchType against v1beta1's leniency, the
// denial message of ToStatusErr, base64 and JSON Patch decoding, and the 500 of a failed call.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MutatingWebhook } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../src/api/object.js';
import { StatusError } from '../../../src/api/status.js';
import { admissionReviewFor, callFailure, dryRunRefusal, interpretReview, patchWithoutObject, WebhookCallError } from '../../../src/apiserver/admission/webhook/review.js';
import type { WebhookRequest } from '../../../src/apiserver/admission/webhook/types.js';

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'team' } };
const createOptions = { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' };

function request(over: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    operation: 'CREATE',
    group: '',
    version: 'v1',
    resource: 'pods',
    subresource: '',
    kind: 'Pod',
    namespaced: true,
    namespace: 'team',
    name: 'web',
    object: pod,
    userInfo: { username: 'alice', uid: 'u-1', groups: ['devs'], extra: { scopes: ['a'] } },
    dryRun: false,
    options: createOptions,
    ...over,
  };
}

const hook = (over: Partial<MutatingWebhook> = {}): MutatingWebhook => ({ name: 'mutate.example.com', admissionReviewVersions: ['v1'], clientConfig: { url: 'https://hook.example.com' }, sideEffects: 'None', ...over });
const v1beta1 = hook({ admissionReviewVersions: ['v1beta1'] });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const v1Answer = (response: Record<string, unknown>) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'uid-1', ...response } });

/** The message of what `f` throws, which must be a WebhookCallError. */
function callError(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof WebhookCallError, `expected a WebhookCallError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a throw');
}

describe('the AdmissionReview sent', () => {
  test('a namespaced create carries every field upstream writes, oldObject null and dryRun false', () => {
    const { version, body } = admissionReviewFor(hook(), request(), 'uid-1');
    assert.equal(version, 'v1');
    assert.deepEqual(body, {
      kind: 'AdmissionReview',
      apiVersion: 'admission.k8s.io/v1',
      request: {
        uid: 'uid-1',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        requestKind: { group: '', version: 'v1', kind: 'Pod' },
        requestResource: { group: '', version: 'v1', resource: 'pods' },
        name: 'web',
        namespace: 'team',
        operation: 'CREATE',
        userInfo: { username: 'alice', uid: 'u-1', groups: ['devs'], extra: { scopes: ['a'] } },
        object: pod,
        oldObject: null,
        dryRun: false,
        options: createOptions,
      },
    });
  });

  const cases: [string, Partial<WebhookRequest>, Record<string, unknown>][] = [
    ['a delete sends the deleted object as oldObject and object null', { operation: 'DELETE', object: undefined, oldObject: pod, options: { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1' } }, { object: null, oldObject: pod, operation: 'DELETE' }],
    ['a create whose name is still to be generated leaves name out', { name: '' }, { name: undefined }],
    ['a cluster-scoped request leaves namespace out', { resource: 'nodes', kind: 'Node', namespace: '', namespaced: false }, { namespace: undefined }],
    ['a subresource is sent as subResource and requestSubResource', { subresource: 'status', operation: 'UPDATE', oldObject: pod }, { subResource: 'status', requestSubResource: 'status', oldObject: pod, operation: 'UPDATE' }],
    ['a subresource of another kind names that kind', { group: 'apps', resource: 'deployments', subresource: 'scale', kind: 'Scale', kindGroup: 'autoscaling', kindVersion: 'v1' }, { kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, requestKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, resource: { group: 'apps', version: 'v1', resource: 'deployments' } }],
    ['a user without uid, groups or extra sends only the username', { userInfo: { username: 'bob', groups: [] } }, { userInfo: { username: 'bob' } }],
    ['a dry run says so', { dryRun: true }, { dryRun: true }],
    ['missing options are sent as null', { options: undefined }, { options: null }],
  ];
  for (const [name, over, want] of cases) {
    test(name, () => {
      const { body } = admissionReviewFor(hook(), request(over), 'uid-1') as { body: { request: Record<string, unknown> } };
      for (const [k, v] of Object.entries(want)) {
        if (v === undefined) assert.ok(!(k in body.request), `${k} is left out`);
        else assert.deepEqual(body.request[k], v, k);
      }
    });
  }

  test('the first version the webhook lists that this server speaks is used, in the webhook\'s order', () => {
    assert.equal(admissionReviewFor(hook({ admissionReviewVersions: ['v1beta1', 'v1'] }), request(), 'u').version, 'v1beta1');
    assert.equal(admissionReviewFor(hook({ admissionReviewVersions: ['v2', 'v1'] }), request(), 'u').version, 'v1');
    const { body } = admissionReviewFor(v1beta1, request(), 'u') as { body: { apiVersion: string } };
    assert.equal(body.apiVersion, 'admission.k8s.io/v1beta1');
  });

  test('a webhook that speaks no known version is a failed call in upstream\'s words', () => {
    assert.equal(
      callError(() => admissionReviewFor(hook({ admissionReviewVersions: ['v2'] }), request(), 'u')),
      'could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)',
    );
  });
});

describe('a webhook\'s answer', () => {
  test('an allowed v1 answer lets the request through with the webhook\'s warnings', () => {
    assert.deepEqual(interpretReview(hook(), v1Answer({ allowed: true, warnings: ['careful'] }), 'uid-1', false), { allowed: true, warnings: ['careful'] });
  });

  const invalid: [string, unknown, boolean, string][] = [
    ['a v1 answer without response', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, false, 'webhook response was absent'],
    ['a JSON null', null, false, 'webhook response was absent'],
    ['a v1 answer for another uid', v1Answer({ uid: 'other', allowed: true }), false, 'expected response.uid="uid-1", got "other"'],
    ['a v1 answer without uid', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { allowed: true } }, false, 'expected response.uid="uid-1", got ""'],
    ['a v1 answer without apiVersion and kind', { response: { uid: 'uid-1', allowed: true } }, false, 'expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got /, Kind='],
    ['a v1beta1 answer to a v1 review', { ...v1Answer({ allowed: true }), apiVersion: 'admission.k8s.io/v1beta1' }, false, 'expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview'],
    ['a v1 mutating answer with a patch but no patchType', v1Answer({ allowed: true, patch: b64('[]') }), true, 'webhook returned response.patch but not response.patchType'],
    ['a v1 mutating answer with a patchType but no patch', v1Answer({ allowed: true, patchType: 'JSONPatch' }), true, 'webhook returned response.patchType but not response.patch'],
    ['a v1 mutating answer with an empty patchType', v1Answer({ allowed: true, patch: b64('[]'), patchType: '' }), true, 'webhook returned invalid response.patchType of ""'],
    ['a v1 validating answer with a patch', v1Answer({ allowed: true, patch: b64('[]') }), false, 'validating webhook may not return response.patch'],
    ['a v1 validating answer with a patchType', v1Answer({ allowed: true, patchType: 'JSONPatch' }), false, 'validating webhook may not return response.patchType'],
  ];
  for (const [name, raw, mutating, why] of invalid) {
    test(`${name} is an invalid response`, () => {
      assert.equal(callError(() => interpretReview(hook(), raw, 'uid-1', mutating)), `received invalid webhook response: ${why}`);
    });
  }

  const undecodable: [string, unknown, string][] = [
    ['a body that is not an object', [1], `couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`],
    ['an apiVersion that is not a string', { apiVersion: 1 }, "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .apiVersion of type string"],
    ['a response that is not an object', { response: 'yes' }, 'json: cannot unmarshal string into Go struct field AdmissionReview.response of type v1.AdmissionResponse'],
    ['allowed given as a string', v1Answer({ allowed: 'true' }), 'json: cannot unmarshal string into Go struct field AdmissionResponse.response.allowed of type bool'],
    ['a status code given as a string', v1Answer({ allowed: false, status: { code: '403' } }), 'json: cannot unmarshal string into Go struct field Status.response.status.code of type int32'],
    ['a status code that is not whole', v1Answer({ allowed: false, status: { code: 403.5 } }), 'json: cannot unmarshal number 403.5 into Go struct field Status.response.status.code of type int32'],
    ['warnings that are not strings', v1Answer({ allowed: true, warnings: [1] }), 'json: cannot unmarshal number into Go struct field AdmissionResponse.response.warnings of type string'],
    ['a patch that is not base64 (short)', v1Answer({ allowed: true, patch: 'abc', patchType: 'JSONPatch' }), 'illegal base64 data at input byte 0'],
    ['a patch that is not base64 (bad character)', v1Answer({ allowed: true, patch: 'ab!d', patchType: 'JSONPatch' }), 'illegal base64 data at input byte 2'],
    ['a patch with too little padding', v1Answer({ allowed: true, patch: 'YQ=', patchType: 'JSONPatch' }), 'illegal base64 data at input byte 3'],
    ['a patch with data after the padding', v1Answer({ allowed: true, patch: 'YQ==YQ==', patchType: 'JSONPatch' }), 'illegal base64 data at input byte 4'],
  ];
  for (const [name, raw, why] of undecodable) {
    test(`${name} fails the call as Go's decoder does`, () => {
      assert.equal(callError(() => interpretReview(hook(), raw, 'uid-1', true)), `failed to call webhook: ${why}`);
    });
  }

  test('a v1beta1 answer is checked for neither uid nor apiVersion and kind', () => {
    assert.deepEqual(interpretReview(v1beta1, { response: { uid: 'whatever', allowed: true } }, 'uid-1', false), { allowed: true, warnings: [] });
    assert.equal(callError(() => interpretReview(v1beta1, { apiVersion: 'admission.k8s.io/v1beta1' }, 'uid-1', false)), 'received invalid webhook response: webhook response was absent');
  });

  test('a v1beta1 mutating patch counts as a JSON Patch, and a v1beta1 validating patch is ignored', () => {
    const ops = [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }];
    assert.deepEqual(interpretReview(v1beta1, { response: { allowed: true, patch: b64(JSON.stringify(ops)) } }, 'uid-1', true), { allowed: true, patch: ops, warnings: [] });
    assert.deepEqual(interpretReview(v1beta1, { response: { allowed: true, patch: b64(JSON.stringify(ops)), patchType: 'Other' } }, 'uid-1', false), { allowed: true, warnings: [] });
  });

  test('a v1 JSON Patch is base64-decoded into its operations', () => {
    const ops = [{ op: 'replace', path: '/spec/replicas', value: 3 }, { op: 'remove', path: '/metadata/labels/x' }];
    const out = interpretReview(hook(), v1Answer({ allowed: true, patch: b64(JSON.stringify(ops)), patchType: 'JSONPatch', warnings: ['w'] }), 'uid-1', true);
    assert.deepEqual(out, { allowed: true, patch: ops, warnings: ['w'] });
  });

  test('a patch of no operations (or JSON null) changes nothing, whatever its patchType', () => {
    for (const body of ['[]', 'null']) {
      assert.deepEqual(interpretReview(hook(), v1Answer({ allowed: true, patch: b64(body), patchType: 'Other' }), 'uid-1', true), { allowed: true, warnings: [] }, body);
    }
  });

  test('a non-empty patch of another patchType is a failed call, carrying the warnings already received', () => {
    try {
      interpretReview(hook(), v1Answer({ allowed: true, patch: b64('[{"op":"remove","path":"/a"}]'), patchType: 'MergePatch', warnings: ['w'] }), 'uid-1', true);
      assert.fail('expected a throw');
    } catch (err) {
      assert.ok(err instanceof WebhookCallError);
      assert.equal(err.message, 'unsupported patch type "MergePatch"');
      assert.deepEqual(err.warnings, ['w']);
    }
  });

  const badPatches: [string, string, string][] = [
    ['an object instead of a list', '{"op":"add"}', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['a list of strings', '["add"]', 'json: cannot unmarshal string into Go value of type jsonpatch.Operation'],
    ['text that is not JSON', 'xyz', "invalid character 'x' looking for beginning of value"],
    ['nothing but spaces', '  ', 'unexpected end of JSON input'],
  ];
  for (const [name, body, why] of badPatches) {
    test(`a patch that is ${name} is undecodable`, () => {
      assert.equal(callError(() => interpretReview(hook(), v1Answer({ allowed: true, patch: b64(body), patchType: 'JSONPatch' }), 'uid-1', true)), `received undecodable patch in webhook response: ${why}`);
    });
  }
});

describe('a webhook\'s denial', () => {
  const name = 'mutate.example.com';
  const cases: [string, Record<string, unknown> | undefined, number, string, string][] = [
    ['without a status is a 400 without explanation', undefined, 400, '', `admission webhook "${name}" denied the request without explanation`],
    ['with only a message says it', { message: 'no latest tags' }, 400, '', `admission webhook "${name}" denied the request: no latest tags`],
    ['with only a reason says the reason', { reason: 'Forbidden' }, 400, 'Forbidden', `admission webhook "${name}" denied the request: Forbidden`],
    ['with message and reason says the message and keeps the reason', { message: 'no', reason: 'Forbidden', code: 403 }, 403, 'Forbidden', `admission webhook "${name}" denied the request: no`],
    ['with a success code is raised to 400', { code: 200, message: 'no' }, 400, '', `admission webhook "${name}" denied the request: no`],
    ['with a code of its own keeps it', { code: 422, reason: 'Invalid', message: 'bad' }, 422, 'Invalid', `admission webhook "${name}" denied the request: bad`],
  ];
  for (const [title, status, code, reason, message] of cases) {
    test(title, () => {
      const out = interpretReview(hook(), v1Answer({ allowed: false, ...(status && { status }), warnings: ['w'] }), 'uid-1', false);
      assert.equal(out.allowed, false);
      if (out.allowed) return;
      assert.deepEqual(out.warnings, ['w']);
      assert.ok(out.status instanceof StatusError);
      assert.equal(out.status.code, code);
      assert.equal(out.status.reason, reason);
      assert.equal(out.status.message, message);
    });
  }

  test('the webhook\'s status details and causes pass through', () => {
    const details = { name: 'web', kind: 'pods', causes: [{ field: 'spec.image', message: 'latest is not allowed' }] };
    const out = interpretReview(v1beta1, { response: { allowed: false, status: { code: 403, message: 'no', details } } }, 'uid-1', true);
    assert.ok(!out.allowed);
    assert.deepEqual(out.status.details, details);
    assert.deepEqual(out.status.toStatus(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `admission webhook "${name}" denied the request: no`, code: 403, details }, 'no reason: StatusReasonUnknown, omitted from the JSON as upstream omits it');
  });

  test('a denial is reported even when the answer carries a patch', () => {
    const out = interpretReview(hook(), v1Answer({ allowed: false, patch: b64('not json'), patchType: 'JSONPatch' }), 'uid-1', true);
    assert.equal(out.allowed, false);
  });
});

describe('a failed webhook call', () => {
  const w = hook({ name: 'check.example.com' });
  const cases: [string, Error, string][] = [
    ['an HTTP error is prefixed as upstream\'s client error', new Error('Post "https://hook.example.com/?timeout=10s": dial tcp 10.0.0.1:443: connect: connection refused'), 'failed calling webhook "check.example.com": failed to call webhook: Post "https://hook.example.com/?timeout=10s": dial tcp 10.0.0.1:443: connect: connection refused'],
    ['a timeout is worded the same way', new Error('Post "https://hook.example.com/?timeout=10s": context deadline exceeded'), 'failed calling webhook "check.example.com": failed to call webhook: Post "https://hook.example.com/?timeout=10s": context deadline exceeded'],
    ['an invalid answer keeps its own reason', new WebhookCallError('received invalid webhook response: webhook response was absent'), 'failed calling webhook "check.example.com": received invalid webhook response: webhook response was absent'],
  ];
  for (const [name, err, inner] of cases) {
    test(`${name}, as a 500 InternalError`, () => {
      const s = callFailure(w, err);
      assert.equal(s.code, 500);
      assert.equal(s.reason, 'InternalError');
      assert.equal(s.message, `Internal error occurred: ${inner}`);
      assert.deepEqual(s.details, { causes: [{ message: inner }] });
    });
  }

  test('a review version the webhook does not speak ends as upstream\'s message', () => {
    let err: Error | undefined;
    try {
      admissionReviewFor(hook({ name: 'check.example.com', admissionReviewVersions: ['v9'] }), request(), 'u');
    } catch (e) {
      err = e as Error;
    }
    assert.equal(callFailure(w, err!).message, 'Internal error occurred: failed calling webhook "check.example.com": could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)');
  });

  test('a dry run reaches only webhooks without side effects; others refuse with upstream\'s 400', () => {
    assert.equal(dryRunRefusal(hook({ sideEffects: 'Some' }), request()), undefined, 'not a dry run');
    assert.equal(dryRunRefusal(hook({ sideEffects: 'None' }), request({ dryRun: true })), undefined);
    assert.equal(dryRunRefusal(hook({ sideEffects: 'NoneOnDryRun' }), request({ dryRun: true })), undefined);
    for (const sideEffects of ['Some', 'Unknown']) {
      const refusal = dryRunRefusal(hook({ sideEffects }), request({ dryRun: true }));
      assert.ok(refusal instanceof StatusError);
      assert.equal(refusal.code, 400);
      assert.equal(refusal.message, 'admission webhook "mutate.example.com" does not support dry run');
    }
    const unset = dryRunRefusal({ ...hook(), sideEffects: undefined as unknown as string }, request({ dryRun: true }));
    assert.ok(unset instanceof WebhookCallError);
    assert.equal(unset.message, 'Webhook SideEffects is nil');
  });

  test('a patch for a request without an object is upstream\'s 500', () => {
    const s = patchWithoutObject(w);
    assert.equal(s.code, 500);
    assert.equal(s.message, 'Internal error occurred: admission webhook "check.example.com" attempted to modify the object, which is not supported for this operation');
  });
});
