// splitTarget: the path and query of a request target exactly as WHATWG URL parsing gives them,
// whether it takes the direct split (plain targets) or falls back to URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitTarget } from '../../src/apiserver/request-info.js';

const targets = [
  '/',
  '/api',
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/default/pods?watch=1&resourceVersion=10&allowWatchBookmarks=true',
  '/apis/apps/v1/namespaces/x/deployments/y/scale?fieldManager=kubectl-client-side-apply&fieldValidation=Strict',
  '/api/v1/namespaces/x/configmaps/a:b@c',
  '/api/v1/namespaces/x/pods/.dot',
  '/api/v1/namespaces/x/pods?labelSelector=app%3Dweb%2Ctier+in+(a,b)',
  '/a?a=1&a=2',
  '/x?',
  '/x?&&=',
  // Targets URL rewrites: a second leading slash (a host), dot segments, escapes, fragments,
  // characters it escapes or strips.
  '//evil/x',
  '/a/./b',
  '/a/../b',
  '/a/%2e%2e/b',
  '/a%2Fb',
  '/a b',
  '/a\\b',
  '/é',
  '/a?b=c#d',
  '/a?x=%zz&y=+1',
  '/a?x=\u00c3\u00a9',
  "/a?x='q'\"<>`",
  '/a?b=c ',
  '/a?b=\tc\n',
];

test('path and query of a request target are those of URL parsing', () => {
  for (const t of targets) {
    const url = new URL(t, 'https://localhost');
    const { path, query } = splitTarget(t);
    assert.equal(path, url.pathname, t);
    assert.deepEqual([...query], [...url.searchParams], t);
  }
});
