// The naming and establishing decisions for CRD status, against upstream's rules: a name another
// CRD of the group accepted is refused, the field keeps its accepted name, Established only once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CustomResourceDefinition, CustomResourceDefinitionNames } from 'kubernetes-types/apiextensions/v1.js';
import { namingStatus, sameStatus, withCondition } from '../../../src/apiserver/crd/crd-status.js';

const now = '2026-12-06T10:00:00Z';
const later = '2026-12-06T11:00:00Z';

function crd(name: string, names: Partial<CustomResourceDefinitionNames>, accepted?: CustomResourceDefinitionNames, group = 'example.com'): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${name}.${group}` },
    spec: { group, scope: 'Namespaced', names: { plural: name, kind: 'Thing', ...names }, versions: [{ name: 'v1', served: true, storage: true }] },
    ...(accepted ? { status: { acceptedNames: accepted, storedVersions: ['v1'] } } : {}),
  };
}

const cond = (s: ReturnType<typeof namingStatus>, type: string) => s.conditions?.find((c) => c.type === type);

describe('CRD naming status', () => {
  test('names nobody else holds are accepted and the CRD is established', () => {
    const c = crd('things', { singular: 'thing', kind: 'Thing', listKind: 'ThingList', shortNames: ['th'] });
    const s = namingStatus(c, [c], now);
    assert.deepEqual(s.acceptedNames, { plural: 'things', singular: 'thing', kind: 'Thing', listKind: 'ThingList', shortNames: ['th'] });
    assert.deepEqual(cond(s, 'NamesAccepted'), { type: 'NamesAccepted', status: 'True', lastTransitionTime: now, reason: 'NoConflicts', message: 'no conflicts found' });
    assert.deepEqual(cond(s, 'Established'), { type: 'Established', status: 'True', lastTransitionTime: now, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
  });

  const conflicts: [string, Partial<CustomResourceDefinitionNames>, string, string][] = [
    ['a plural another CRD accepted as its singular', { plural: 'thing', kind: 'Other' }, 'PluralConflict', '"thing" is already in use'],
    ['a short name another CRD accepted', { plural: 'others', kind: 'Other', shortNames: ['th'] }, 'ShortNamesConflict', '"th" is already in use'],
    ['a kind another CRD accepted', { plural: 'others', kind: 'Thing' }, 'KindConflict', '"Thing" is already in use'],
    ['a list kind another CRD accepted as its list kind', { plural: 'others', kind: 'Other', listKind: 'ThingList' }, 'ListKindConflict', '"ThingList" is already in use'],
  ];
  for (const [what, names, reason, message] of conflicts) {
    test(`${what} is refused (${reason}) and the CRD is not established`, () => {
      const first = crd('things', {}, { plural: 'things', singular: 'thing', kind: 'Thing', listKind: 'ThingList', shortNames: ['th'] });
      const second = crd(names.plural ?? 'others', names);
      const s = namingStatus(second, [first, second], now);
      assert.deepEqual([cond(s, 'NamesAccepted')?.status, cond(s, 'NamesAccepted')?.reason, cond(s, 'NamesAccepted')?.message], ['False', reason, message]);
      assert.deepEqual([cond(s, 'Established')?.status, cond(s, 'Established')?.reason], ['False', 'NotAccepted']);
    });
  }

  test('the same names in another group do not conflict', () => {
    const first = crd('things', {}, { plural: 'things', kind: 'Thing' }, 'a.example.com');
    const second = crd('things', {}, undefined, 'b.example.com');
    assert.equal(cond(namingStatus(second, [first, second], now), 'NamesAccepted')?.status, 'True');
  });

  test('a refused rename keeps the accepted name of that field, and an established CRD stays established', () => {
    const other = crd('others', {}, { plural: 'others', kind: 'Other' });
    const renamed = crd('things', { kind: 'Other' }, { plural: 'things', kind: 'Thing' });
    renamed.status!.conditions = withCondition(undefined, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
    const s = namingStatus(renamed, [other, renamed], later);
    assert.equal(s.acceptedNames?.kind, 'Thing');
    assert.equal(cond(s, 'NamesAccepted')?.reason, 'KindConflict');
    assert.deepEqual([cond(s, 'Established')?.status, cond(s, 'Established')?.lastTransitionTime], ['True', now]);
  });

  test('recomputing an unchanged status changes nothing but would-be transition times', () => {
    const c = crd('things', {});
    const first = namingStatus(c, [c], now);
    const again = namingStatus({ ...c, status: first }, [{ ...c, status: first }], later);
    assert.ok(sameStatus(first, again));
    assert.equal(cond(again, 'NamesAccepted')?.lastTransitionTime, now, 'an unchanged condition keeps its transition time');
  });
});
