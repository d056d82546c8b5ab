// The RBAC rule engine against upstream's own cases: TestRuleMatches and TestAuthorizer
// (plugin/pkg/auth/authorizer/rbac/rbac_test.go), the Covers cases and TestNonResourceURLCovers
// (component-helpers/auth/rbac/validation/policy_comparator_test.go), TestCompactRules and
// TestIsSimpleResourceRule (pkg/registry/rbac/validation/policy_compact_test.go), and the
// escalation text of ConfirmNoEscalation with CompactString (pkg/apis/rbac/v1/evaluation_helpers.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import {
  breakdownRule,
  compactRules,
  compactString,
  covers,
  escalationMessage,
  nonResourceURLCovers,
  ruleAllows,
  rulesAllow,
  type RequestAttributes,
} from '../../../src/auth/rbac/rules.js';

const resourceRequest = (verb: string, group: string, resource: string, subresource = '', name = ''): RequestAttributes =>
  ({ verb, isResource: true, group, resource, subresource, name, path: '', namespace: '' });
const nonResourceRequest = (verb: string, path: string): RequestAttributes =>
  ({ verb, isResource: false, group: '', resource: '', subresource: '', name: '', path, namespace: '' });

/** rbac_test.go's newRule: every argument split on ",". */
const newRule = (verbs: string, apiGroups: string, resources: string, nonResourceURLs: string): PolicyRule =>
  ({ verbs: verbs.split(','), apiGroups: apiGroups.split(','), resources: resources.split(','), nonResourceURLs: nonResourceURLs.split(',') });

type Expect = [RequestAttributes, boolean];
const checkAll = (rule: PolicyRule, cases: Expect[]) => {
  for (const [attrs, expected] of cases) assert.equal(ruleAllows(attrs, rule), expected, `${JSON.stringify(attrs)} against ${compactString(rule)}`);
};

// ---- TestRuleMatches ----

test('TestRuleMatches: star verb, exact match other', () => {
  checkAll({ verbs: ['*'], apiGroups: ['group1'], resources: ['resource1'] }, [
    [resourceRequest('verb1', 'group1', 'resource1'), true],
    [resourceRequest('verb1', 'group2', 'resource1'), false],
    [resourceRequest('verb1', 'group1', 'resource2'), false],
    [resourceRequest('verb1', 'group2', 'resource2'), false],
    [resourceRequest('verb2', 'group1', 'resource1'), true],
    [resourceRequest('verb2', 'group2', 'resource1'), false],
    [resourceRequest('verb2', 'group1', 'resource2'), false],
    [resourceRequest('verb2', 'group2', 'resource2'), false],
  ]);
});

test('TestRuleMatches: star group, exact match other', () => {
  checkAll({ verbs: ['verb1'], apiGroups: ['*'], resources: ['resource1'] }, [
    [resourceRequest('verb1', 'group1', 'resource1'), true],
    [resourceRequest('verb1', 'group2', 'resource1'), true],
    [resourceRequest('verb1', 'group1', 'resource2'), false],
    [resourceRequest('verb1', 'group2', 'resource2'), false],
    [resourceRequest('verb2', 'group1', 'resource1'), false],
    [resourceRequest('verb2', 'group2', 'resource1'), false],
    [resourceRequest('verb2', 'group1', 'resource2'), false],
    [resourceRequest('verb2', 'group2', 'resource2'), false],
  ]);
});

test('TestRuleMatches: star resource, exact match other', () => {
  checkAll({ verbs: ['verb1'], apiGroups: ['group1'], resources: ['*'] }, [
    [resourceRequest('verb1', 'group1', 'resource1'), true],
    [resourceRequest('verb1', 'group2', 'resource1'), false],
    [resourceRequest('verb1', 'group1', 'resource2'), true],
    [resourceRequest('verb1', 'group2', 'resource2'), false],
    [resourceRequest('verb2', 'group1', 'resource1'), false],
    [resourceRequest('verb2', 'group2', 'resource1'), false],
    [resourceRequest('verb2', 'group1', 'resource2'), false],
    [resourceRequest('verb2', 'group2', 'resource2'), false],
  ]);
});

test('TestRuleMatches: tuple expansion', () => {
  const rule: PolicyRule = { verbs: ['verb1', 'verb2'], apiGroups: ['group1', 'group2'], resources: ['resource1', 'resource2'] };
  const cases: Expect[] = [];
  for (const verb of ['verb1', 'verb2']) for (const group of ['group1', 'group2']) for (const resource of ['resource1', 'resource2']) cases.push([resourceRequest(verb, group, resource), true]);
  checkAll(rule, cases);
});

test('TestRuleMatches: subresource expansion', () => {
  checkAll({ verbs: ['*'], apiGroups: ['*'], resources: ['resource1/subresource1'] }, [
    [resourceRequest('verb1', 'group1', 'resource1', 'subresource1'), true],
    [resourceRequest('verb1', 'group2', 'resource1', 'subresource2'), false],
    [resourceRequest('verb1', 'group1', 'resource2', 'subresource1'), false],
    [resourceRequest('verb1', 'group2', 'resource2', 'subresource1'), false],
    [resourceRequest('verb2', 'group1', 'resource1', 'subresource1'), true],
    [resourceRequest('verb2', 'group2', 'resource1', 'subresource2'), false],
    [resourceRequest('verb2', 'group1', 'resource2', 'subresource1'), false],
    [resourceRequest('verb2', 'group2', 'resource2', 'subresource1'), false],
  ]);
});

test('TestRuleMatches: star nonresource, exact match other', () => {
  checkAll({ verbs: ['verb1'], nonResourceURLs: ['*'] }, [
    [nonResourceRequest('verb1', '/foo'), true],
    [nonResourceRequest('verb1', '/foo/bar'), true],
    [nonResourceRequest('verb1', '/foo/baz'), true],
    [nonResourceRequest('verb1', '/foo/bar/one'), true],
    [nonResourceRequest('verb1', '/foo/baz/one'), true],
    [nonResourceRequest('verb2', '/foo'), false],
    [nonResourceRequest('verb2', '/foo/bar'), false],
    [nonResourceRequest('verb2', '/foo/baz'), false],
    [nonResourceRequest('verb2', '/foo/bar/one'), false],
    [nonResourceRequest('verb2', '/foo/baz/one'), false],
  ]);
});

test('TestRuleMatches: star nonresource subpath', () => {
  checkAll({ verbs: ['verb1'], nonResourceURLs: ['/foo/*'] }, [
    [nonResourceRequest('verb1', '/foo'), false],
    [nonResourceRequest('verb1', '/foo/bar'), true],
    [nonResourceRequest('verb1', '/foo/baz'), true],
    [nonResourceRequest('verb1', '/foo/bar/one'), true],
    [nonResourceRequest('verb1', '/foo/baz/one'), true],
    [nonResourceRequest('verb1', '/notfoo'), false],
    [nonResourceRequest('verb1', '/notfoo/bar'), false],
    [nonResourceRequest('verb1', '/notfoo/baz'), false],
    [nonResourceRequest('verb1', '/notfoo/bar/one'), false],
    [nonResourceRequest('verb1', '/notfoo/baz/one'), false],
  ]);
});

test('TestRuleMatches: star verb, exact nonresource', () => {
  checkAll({ verbs: ['*'], nonResourceURLs: ['/foo', '/foo/bar/one'] }, [
    [nonResourceRequest('verb1', '/foo'), true],
    [nonResourceRequest('verb1', '/foo/bar'), false],
    [nonResourceRequest('verb1', '/foo/baz'), false],
    [nonResourceRequest('verb1', '/foo/bar/one'), true],
    [nonResourceRequest('verb1', '/foo/baz/one'), false],
    [nonResourceRequest('verb2', '/foo'), true],
    [nonResourceRequest('verb2', '/foo/bar'), false],
    [nonResourceRequest('verb2', '/foo/baz'), false],
    [nonResourceRequest('verb2', '/foo/bar/one'), true],
    [nonResourceRequest('verb2', '/foo/baz/one'), false],
  ]);
});

// ---- TestAuthorizer, at the level of the rules a binding grants ----

test('TestAuthorizer: "*" rule allows any verb on any resource; verbs are case-sensitive', () => {
  const rules = [newRule('*', '*', '*', '*')];
  assert.ok(rulesAllow(resourceRequest('get', '', 'Pods'), rules));
  assert.ok(rulesAllow(resourceRequest('watch', '', 'Foobar'), rules));
  // "*" is the only wildcard: a rule listing "get" does not allow "GET"
  assert.equal(rulesAllow(resourceRequest('GET', '', 'pods'), [newRule('get', '*', '*', '')]), false);
});

test('TestAuthorizer: non-resource URLs, exact and prefixed', () => {
  const getter = [newRule('get', '', '', '/apis')];
  const any = [newRule('*', '', '', '/apis')];
  const prefixed = [newRule('get', '', '', '/apis/*')];
  assert.ok(rulesAllow(nonResourceRequest('get', '/apis'), getter));
  assert.ok(rulesAllow(nonResourceRequest('get', '/apis'), any));
  assert.ok(rulesAllow(nonResourceRequest('watch', '/apis'), any));
  assert.ok(rulesAllow(nonResourceRequest('get', '/apis/v1'), prefixed));
  assert.ok(rulesAllow(nonResourceRequest('get', '/apis/v1/foobar'), prefixed));
  // wrong verb
  assert.equal(rulesAllow(nonResourceRequest('watch', '/apis'), getter), false);
  // wrong path
  assert.equal(rulesAllow(nonResourceRequest('get', '/api/v1'), getter), false);
  assert.equal(rulesAllow(nonResourceRequest('get', '/api/v1'), any), false);
  // not covered by prefix
  assert.equal(rulesAllow(nonResourceRequest('get', '/api/v1'), prefixed), false);
});

test('TestAuthorizer: subresource resolution', () => {
  const pods = [newRule('*', '*', 'pods', '*')];
  assert.ok(rulesAllow(resourceRequest('get', '', 'pods'), pods));
  assert.equal(rulesAllow(resourceRequest('get', '', 'pods', 'status'), pods), false);

  const statusAndScale = [newRule('*', '*', 'pods/status', '*'), newRule('*', '*', '*/scale', '*')];
  assert.ok(rulesAllow(resourceRequest('get', '', 'pods', 'status'), statusAndScale));
  assert.ok(rulesAllow(resourceRequest('get', '', 'pods', 'scale'), statusAndScale));
  assert.ok(rulesAllow(resourceRequest('get', '', 'deployments', 'scale'), statusAndScale));
  assert.ok(rulesAllow(resourceRequest('get', '', 'anything', 'scale'), statusAndScale));
  assert.equal(rulesAllow(resourceRequest('get', '', 'pods'), statusAndScale), false);
});

test('ResourceMatches: "*" matches subresources too, "pods/*" is no wildcard, "*/scale" needs that exact subresource', () => {
  // `if ruleResource == ResourceAll { return true }` comes before any subresource handling
  assert.ok(ruleAllows(resourceRequest('get', '', 'pods', 'status'), { verbs: ['get'], apiGroups: [''], resources: ['*'] }));
  // only "resource/subresource" exactly or "*/subresource" match a subresource request
  assert.equal(ruleAllows(resourceRequest('get', '', 'pods', 'status'), { verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }), false);
  assert.equal(ruleAllows(resourceRequest('get', '', 'pods'), { verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }), false);
  assert.equal(ruleAllows(resourceRequest('get', 'apps', 'deployments', 'scales'), { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }), false);
  // the length check: "*/scale" is not a suffix match on any shorter subresource
  assert.equal(ruleAllows(resourceRequest('get', 'apps', 'deployments', 'ale'), { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }), false);
  assert.equal(ruleAllows(resourceRequest('get', 'apps', 'deployments', 'tatus'), { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/status'] }), false);
  assert.equal(ruleAllows(resourceRequest('get', 'apps', 'deployments'), { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }), false);
  assert.equal(ruleAllows(resourceRequest('get', '', 'pods', 'status'), { verbs: ['get'], apiGroups: [''], resources: ['pods/statuses'] }), false);
});

test('ResourceNameMatches: no names means all, including a request without a name; listed names match exactly', () => {
  const anyName: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] };
  const named: PolicyRule = { ...anyName, resourceNames: ['cm1'] };
  assert.ok(ruleAllows(resourceRequest('list', '', 'configmaps'), anyName));
  assert.ok(ruleAllows(resourceRequest('get', '', 'configmaps', '', 'other'), anyName));
  assert.ok(ruleAllows(resourceRequest('get', '', 'configmaps', '', 'cm1'), named));
  assert.equal(ruleAllows(resourceRequest('get', '', 'configmaps', '', 'cm2'), named), false);
  assert.equal(ruleAllows(resourceRequest('list', '', 'configmaps'), named), false);
});

test('a rule without URLs allows no non-resource request, one without groups or resources no resource request', () => {
  assert.equal(ruleAllows(nonResourceRequest('get', '/healthz'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), false);
  assert.equal(ruleAllows(resourceRequest('get', '', 'pods'), { verbs: ['*'], nonResourceURLs: ['*'] }), false);
  assert.equal(rulesAllow(resourceRequest('get', '', 'pods'), []), false);
});

// ---- Covers (policy_comparator_test.go) ----

const coversCase = (owner: PolicyRule[], servant: PolicyRule[], expectedCovered: boolean, expectedMissing: PolicyRule[]) => {
  const { covered, missing } = covers(owner, servant);
  assert.equal(covered, expectedCovered);
  // rulesMatch: same length, every expected rule found
  assert.equal(missing.length, expectedMissing.length, JSON.stringify(missing));
  for (const e of expectedMissing) assert.ok(missing.some((m) => isDeepEqual(m, e)), `missing ${JSON.stringify(e)} in ${JSON.stringify(missing)}`);
};
const isDeepEqual = (a: unknown, b: unknown) => {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
};

test('TestCoversExactMatch', () => {
  coversCase([{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] }], [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] }], true, []);
});

test('TestCoversSubresourceWildcard', () => {
  coversCase([{ apiGroups: ['v1'], verbs: ['get'], resources: ['*/scale'] }], [{ apiGroups: ['v1'], verbs: ['get'], resources: ['foo/scale'] }], true, []);
});

test('TestCoversMultipleRulesCoveringSingleRule', () => {
  coversCase(
    [
      { apiGroups: ['v1'], verbs: ['delete'], resources: ['deployments'] },
      { apiGroups: ['v1'], verbs: ['delete'], resources: ['builds'] },
      { apiGroups: ['v1'], verbs: ['update'], resources: ['builds', 'deployments'] },
    ],
    [{ apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] }],
    true, [],
  );
});

test('TestCoversMultipleAPIGroupsCoveringSingleRule', () => {
  coversCase(
    [
      { apiGroups: ['group1'], verbs: ['delete'], resources: ['deployments'] },
      { apiGroups: ['group1'], verbs: ['delete'], resources: ['builds'] },
      { apiGroups: ['group1'], verbs: ['update'], resources: ['builds', 'deployments'] },
      { apiGroups: ['group2'], verbs: ['delete'], resources: ['deployments'] },
      { apiGroups: ['group2'], verbs: ['delete'], resources: ['builds'] },
      { apiGroups: ['group2'], verbs: ['update'], resources: ['builds', 'deployments'] },
    ],
    [{ apiGroups: ['group1', 'group2'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] }],
    true, [],
  );
});

test('TestCoversSingleAPIGroupsCoveringMultiple', () => {
  coversCase(
    [{ apiGroups: ['group1', 'group2'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] }],
    [
      { apiGroups: ['group1'], verbs: ['delete'], resources: ['deployments'] },
      { apiGroups: ['group1'], verbs: ['delete'], resources: ['builds'] },
      { apiGroups: ['group1'], verbs: ['update'], resources: ['builds', 'deployments'] },
      { apiGroups: ['group2'], verbs: ['delete'], resources: ['deployments'] },
      { apiGroups: ['group2'], verbs: ['delete'], resources: ['builds'] },
      { apiGroups: ['group2'], verbs: ['update'], resources: ['builds', 'deployments'] },
    ],
    true, [],
  );
});

test('TestCoversMultipleRulesMissingSingleVerbResourceCombination', () => {
  coversCase(
    [
      { apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] },
      { apiGroups: ['v1'], verbs: ['delete'], resources: ['pods'] },
    ],
    [{ apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments', 'pods'] }],
    false, [{ apiGroups: ['v1'], verbs: ['update'], resources: ['pods'] }],
  );
});

test('TestCoversAPIGroupStarCoveringMultiple', () => {
  coversCase([{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }], [{ apiGroups: ['group1', 'group2'], verbs: ['get'], resources: ['roles'] }], true, []);
});

test('TestCoversEnumerationNotCoveringAPIGroupStar', () => {
  coversCase(
    [{ apiGroups: ['dummy-group'], verbs: ['get'], resources: ['roles'] }],
    [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
    false, [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
  );
});

test('TestCoversAPIGroupStarCoveringStar', () => {
  coversCase([{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }], [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }], true, []);
});

test('TestCoversVerbStarCoveringMultiple', () => {
  coversCase([{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }], [{ apiGroups: ['v1'], verbs: ['watch', 'list'], resources: ['roles'] }], true, []);
});

test('TestCoversEnumerationNotCoveringVerbStar', () => {
  coversCase(
    [{ apiGroups: ['v1'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete', 'exec'], resources: ['roles'] }],
    [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
    false, [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
  );
});

test('TestCoversVerbStarCoveringStar', () => {
  coversCase([{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }], [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }], true, []);
});

test('TestCoversResourceStarCoveringMultiple', () => {
  coversCase([{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }], [{ apiGroups: ['v1'], verbs: ['get'], resources: ['resourcegroup:deployments'] }], true, []);
});

test('TestCoversEnumerationNotCoveringResourceStar', () => {
  coversCase(
    [{ apiGroups: ['v1'], verbs: ['get'], resources: ['roles', 'resourcegroup:deployments'] }],
    [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
    false, [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
  );
});

test('TestCoversResourceStarCoveringStar', () => {
  coversCase([{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }], [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }], true, []);
});

test('TestCoversResourceNameEmptyCoveringMultiple', () => {
  coversCase(
    [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: [] }],
    [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: ['foo', 'bar'] }],
    true, [],
  );
});

test('TestCoversEnumerationNotCoveringResourceNameEmpty', () => {
  coversCase(
    [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: ['foo', 'bar'] }],
    [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: [] }],
    false, [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'] }],
  );
});

test('TestCoversNonResourceURLs', () => {
  coversCase([{ nonResourceURLs: ['/apis'], verbs: ['*'] }], [{ nonResourceURLs: ['/apis'], verbs: ['*'] }], true, []);
});

test('TestCoversNonResourceURLsStar', () => {
  coversCase([{ nonResourceURLs: ['*'], verbs: ['*'] }], [{ nonResourceURLs: ['/apis', '/apis/v1', '/'], verbs: ['*'] }], true, []);
});

test('TestCoversNonResourceURLsStarAfterPrefixDoesntCover', () => {
  coversCase(
    [{ nonResourceURLs: ['/apis/*'], verbs: ['*'] }],
    [{ nonResourceURLs: ['/apis', '/apis/v1'], verbs: ['get'] }],
    false, [{ nonResourceURLs: ['/apis'], verbs: ['get'] }],
  );
});

test('TestCoversNonResourceURLsStarAfterPrefix', () => {
  coversCase([{ nonResourceURLs: ['/apis/*'], verbs: ['*'] }], [{ nonResourceURLs: ['/apis/v1/foo', '/apis/v1'], verbs: ['get'] }], true, []);
});

test('TestCoversNonResourceURLsWithOtherFields', () => {
  coversCase(
    [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] }],
    [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] }],
    true, [],
  );
});

test('TestCoversNonResourceURLsWithOtherFieldsFailure', () => {
  coversCase(
    [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] }],
    [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] }],
    false, [{ nonResourceURLs: ['/apis'], verbs: ['get'] }],
  );
});

test('TestNonResourceURLCovers', () => {
  const cases: [string, string, boolean][] = [
    ['*', '', true],
    ['*', '/', true],
    ['*', '/api', true],
    ['/*', '', false],
    ['/*', '/', true],
    ['/*', '/foo', true],
    ['/api', '/api', true],
    ['/apis', '/api', false],
    ['/api/v1', '/api', false],
    ['/api/v1', '/api/v1', true],
    ['/api/*', '/api/v1', true],
    ['/api/*', '/api', false],
    ['/api/*/*', '/api/v1', false],
    ['/*/v1/*', '/api/v1', false],
  ];
  for (const [owner, requested, want] of cases) assert.equal(nonResourceURLCovers(owner, requested), want, `nonResourceURLCovers(${owner}, ${requested})`);
});

test('Covers: "pods/*" covers neither "pods/status" nor "pods"; only "*" or "*/status" cover a subresource besides itself', () => {
  // resourceCoversAll: exact match, then "*/" + the part after the first "/"
  const servant: PolicyRule[] = [{ apiGroups: [''], verbs: ['get'], resources: ['pods/status'] }];
  assert.equal(covers([{ apiGroups: [''], verbs: ['get'], resources: ['pods/*'] }], servant).covered, false);
  assert.equal(covers([{ apiGroups: [''], verbs: ['get'], resources: ['pods'] }], servant).covered, false);
  assert.ok(covers([{ apiGroups: [''], verbs: ['get'], resources: ['*/status'] }], servant).covered);
  assert.ok(covers([{ apiGroups: [''], verbs: ['get'], resources: ['*'] }], servant).covered);
  assert.equal(covers([{ apiGroups: [''], verbs: ['get'], resources: ['*/status'] }], [{ apiGroups: [''], verbs: ['get'], resources: ['pods'] }]).covered, false);
});

test('BreakdownRule: groups × resources × verbs × names, then URLs × verbs', () => {
  assert.deepEqual(breakdownRule({ apiGroups: ['', 'apps'], resources: ['pods'], verbs: ['get', 'list'], resourceNames: ['a', 'b'], nonResourceURLs: ['/x'] }), [
    { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
    { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['b'] },
    { verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
    { verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['b'] },
    { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'], resourceNames: ['a'] },
    { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'], resourceNames: ['b'] },
    { verbs: ['list'], apiGroups: ['apps'], resources: ['pods'], resourceNames: ['a'] },
    { verbs: ['list'], apiGroups: ['apps'], resources: ['pods'], resourceNames: ['b'] },
    { verbs: ['get'], nonResourceURLs: ['/x'] },
    { verbs: ['list'], nonResourceURLs: ['/x'] },
  ]);
  // a rule with resources but no groups breaks down to nothing: it grants nothing
  assert.deepEqual(breakdownRule({ resources: ['pods'], verbs: ['get'] }), []);
});

// ---- CompactRules (policy_compact_test.go) ----

/** A PolicyRule with verbs left out, as Go's nil Verbs (kubernetes-types marks verbs required). */
const noVerbs = (rule: Omit<PolicyRule, 'verbs'>) => rule as PolicyRule;
/** SortableRuleSlice orders by String(), i.e. "PolicyRule" + CompactString. */
const sorted = (rules: PolicyRule[]) => [...rules].sort((a, b) => (compactString(a) < compactString(b) ? -1 : compactString(a) > compactString(b) ? 1 : 0));

const compactCases: Record<string, { rules: PolicyRule[]; expected: PolicyRule[] }> = {
  empty: { rules: [], expected: [] },
  simple: {
    rules: [
      { verbs: ['get'], apiGroups: [''], resources: ['builds'] },
      { verbs: ['list'], apiGroups: [''], resources: ['builds'] },
      { verbs: ['update', 'patch'], apiGroups: [''], resources: ['builds'] },

      { verbs: ['create'], apiGroups: ['extensions'], resources: ['daemonsets'] },
      { verbs: ['delete'], apiGroups: ['extensions'], resources: ['daemonsets'] },
      { verbs: ['patch'], apiGroups: ['extensions'], resources: ['daemonsets'], resourceNames: [''] },
      { verbs: ['get'], apiGroups: ['extensions'], resources: ['daemonsets'], resourceNames: ['foo'] },
      { verbs: ['list'], apiGroups: ['extensions'], resources: ['daemonsets'], resourceNames: ['foo'] },

      { verbs: ['educate'], apiGroups: [''], resources: ['dolphins'] },

      // nil verbs are preserved in non-merge cases
      noVerbs({ apiGroups: [''], resources: ['pirates'] }),

      // merging into a nil verbs list
      noVerbs({ apiGroups: [''], resources: ['pods'] }),
      { verbs: ['create'], apiGroups: [''], resources: ['pods'] },
    ],
    expected: [
      { verbs: ['create', 'delete'], apiGroups: ['extensions'], resources: ['daemonsets'] },
      { verbs: ['patch'], apiGroups: ['extensions'], resources: ['daemonsets'], resourceNames: [''] },
      { verbs: ['get', 'list'], apiGroups: ['extensions'], resources: ['daemonsets'], resourceNames: ['foo'] },
      { verbs: ['get', 'list', 'update', 'patch'], apiGroups: [''], resources: ['builds'] },
      { verbs: ['educate'], apiGroups: [''], resources: ['dolphins'] },
      noVerbs({ apiGroups: [''], resources: ['pirates'] }),
      { verbs: ['create'], apiGroups: [''], resources: ['pods'] },
    ],
  },
  'complex multi-group': {
    rules: [
      { verbs: ['get'], apiGroups: ['', 'builds.openshift.io'], resources: ['builds'] },
      { verbs: ['list'], apiGroups: ['', 'builds.openshift.io'], resources: ['builds'] },
    ],
    expected: [
      { verbs: ['get'], apiGroups: ['', 'builds.openshift.io'], resources: ['builds'] },
      { verbs: ['list'], apiGroups: ['', 'builds.openshift.io'], resources: ['builds'] },
    ],
  },
  'complex multi-resource': {
    rules: [
      { verbs: ['get'], apiGroups: [''], resources: ['builds', 'images'] },
      { verbs: ['list'], apiGroups: [''], resources: ['builds', 'images'] },
    ],
    expected: [
      { verbs: ['get'], apiGroups: [''], resources: ['builds', 'images'] },
      { verbs: ['list'], apiGroups: [''], resources: ['builds', 'images'] },
    ],
  },
  'complex named-resource': {
    rules: [
      { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: ['mybuild'] },
      { verbs: ['list'], apiGroups: [''], resources: ['builds'], resourceNames: ['mybuild2'] },
    ],
    expected: [
      { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: ['mybuild'] },
      { verbs: ['list'], apiGroups: [''], resources: ['builds'], resourceNames: ['mybuild2'] },
    ],
  },
  'complex non-resource': {
    rules: [
      { verbs: ['get'], apiGroups: [''], resources: ['builds'], nonResourceURLs: ['/'] },
      { verbs: ['get'], apiGroups: [''], resources: ['builds'], nonResourceURLs: ['/foo'] },
    ],
    expected: [
      { verbs: ['get'], apiGroups: [''], resources: ['builds'], nonResourceURLs: ['/'] },
      { verbs: ['get'], apiGroups: [''], resources: ['builds'], nonResourceURLs: ['/foo'] },
    ],
  },
};

for (const [name, tc] of Object.entries(compactCases)) {
  test(`TestCompactRules: ${name}`, () => {
    const original = structuredClone(tc.rules);
    const compacted = compactRules(tc.rules);
    assert.deepStrictEqual(tc.rules, original, 'CompactRules mutated rules');
    assert.ok(covers(compacted, tc.rules).covered, 'compacted rules did not cover original rules');
    assert.ok(covers(tc.rules, compacted).covered, 'original rules did not cover compacted rules');
    assert.deepStrictEqual(sorted(compacted), sorted(tc.expected));
  });
}

test('TestIsSimpleResourceRule: which rules merge with a same-shaped rule of another verb', () => {
  // simple rules merge into one; complex ones pass through, so two stay two
  const cases: [string, PolicyRule, boolean][] = [
    ['simple, no verbs', { verbs: [], apiGroups: [''], resources: ['builds'] }, true],
    ['simple, one verb', { verbs: ['get'], apiGroups: [''], resources: ['builds'] }, true],
    ['simple, one empty resource name', { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: [''] }, true],
    ['simple, one resource name', { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: ['foo'] }, true],
    ['simple, multi verb', { verbs: ['get', 'list'], apiGroups: [''], resources: ['builds'] }, true],
    ['complex, empty', noVerbs({}), false],
    ['complex, no group', { verbs: ['get'], apiGroups: [], resources: ['builds'] }, false],
    ['complex, multi group', { verbs: ['get'], apiGroups: ['a', 'b'], resources: ['builds'] }, false],
    ['complex, no resource', { verbs: ['get'], apiGroups: [''], resources: [] }, false],
    ['complex, multi resource', { verbs: ['get'], apiGroups: [''], resources: ['builds', 'images'] }, false],
    ['complex, resource names', { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: ['foo', 'bar'] }, false],
    ['complex, non-resource urls', { verbs: ['get'], apiGroups: [''], resources: ['builds'], nonResourceURLs: ['/'] }, false],
  ];
  for (const [name, rule, simple] of cases) {
    const other = { ...rule, verbs: ['zzz'] };
    assert.equal(compactRules([rule, other]).length, simple ? 1 : 2, name);
  }
  // the resource name is part of the key: "" and "foo", and no name at all, stay apart
  assert.equal(compactRules([
    { verbs: ['get'], apiGroups: [''], resources: ['builds'] },
    { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: [''] },
    { verbs: ['get'], apiGroups: [''], resources: ['builds'], resourceNames: ['foo'] },
  ]).length, 3);
});

// ---- CompactString and the escalation message ----

test('CompactString: field order APIGroups, Resources, NonResourceURLs, ResourceNames, Verbs; empty fields left out', () => {
  assert.equal(compactString({ apiGroups: [''], resources: ['pods'], verbs: ['get'] }), '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}');
  assert.equal(compactString({ apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'list', 'watch'] }), '{APIGroups:[""], Resources:["endpoints"], Verbs:["get" "list" "watch"]}');
  assert.equal(
    compactString({ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], nonResourceURLs: ['/x'] }),
    '{APIGroups:["apps"], Resources:["deployments"], NonResourceURLs:["/x"], ResourceNames:["web"], Verbs:["get"]}',
  );
  assert.equal(compactString({ nonResourceURLs: ['/healthz', '/api/*'], verbs: ['get'] }), '{NonResourceURLs:["/healthz" "/api/*"], Verbs:["get"]}');
  assert.equal(compactString({ verbs: [], resourceNames: [] }), '{}');
  // %q escapes quotes, backslashes and control characters as Go's strconv.Quote does
  assert.equal(compactString({ verbs: ['a"b\\c\n\u0001é'] }), '{Verbs:["a\\"b\\\\c\\n\\x01é"]}');
});

test('escalationMessage: the ConfirmNoEscalation text', () => {
  const user = { username: 'alice', groups: ['devs', 'system:authenticated'] };
  const owner: PolicyRule[] = [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }];
  const { covered, missing } = covers(owner, [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
  assert.equal(covered, false);
  assert.equal(
    escalationMessage(user, missing),
    'user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
  );
});

test('escalationMessage: missing rules compacted by verb, de-duplicated, sorted, one a line', () => {
  const user = { username: 'system:serviceaccount:rbac:privesc', groups: ['system:serviceaccounts', 'system:serviceaccounts:rbac', 'system:authenticated'] };
  const { missing } = covers([], [
    { apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['delete'] },
    { apiGroups: [''], resources: ['secrets'], resourceNames: ['s1'], verbs: ['get'] },
    { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    { nonResourceURLs: ['/metrics'], verbs: ['get'] },
  ]);
  assert.equal(escalationMessage(user, missing), [
    'user "system:serviceaccount:rbac:privesc" (groups=["system:serviceaccounts" "system:serviceaccounts:rbac" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:',
    '{APIGroups:[""], Resources:["endpoints"], Verbs:["get" "list" "watch"]}',
    '{APIGroups:[""], Resources:["secrets"], ResourceNames:["s1"], Verbs:["get"]}',
    '{APIGroups:["rbac.authorization.k8s.io"], Resources:["roles"], Verbs:["delete"]}',
    '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
  ].join('\n'));
});

test('escalationMessage: resolution errors appended as fmt prints []error holding one aggregate', () => {
  const user = { username: 'bob', groups: [] };
  const missing: PolicyRule[] = [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }];
  const head = 'user "bob" (groups=[]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}';
  assert.equal(escalationMessage(user, missing, []), head);
  assert.equal(escalationMessage(user, missing, ['clusterrole.rbac.authorization.k8s.io "gone" not found']), `${head}; resolution errors: [clusterrole.rbac.authorization.k8s.io "gone" not found]`);
  assert.equal(escalationMessage(user, missing, ['a', 'b', 'a']), `${head}; resolution errors: [[a, b]]`);
  assert.equal(escalationMessage(user, missing, ['a', 'a']), `${head}; resolution errors: [a]`);
});
