// The smaller rules of CustomResourceDefinition validation (apiextensions validation.go), each
// with upstream's paths and messages: names, printer columns, the scale subresource, conversion,
// stored versions, the API-approval annotation of *.k8s.io groups, deprecation warnings.
import { asArray, asObject, asString, child, duplicate, forbidden, index, invalid, isObject, key, notSupported, required, tooMany, type Errors } from './field.js';
import { isDNS1035Label } from './names.js';
import { validateWebhookService, validateWebhookURL } from './webhook.js';

type Obj = Record<string, unknown>;

/** validateEnumStrings: empty is Required when `must`, anything else outside `accepted` is NotSupported. */
export function validateEnum(field: string, value: string, accepted: string[]): Errors {
  if (!value) return [required(field)];
  return accepted.includes(value) ? [] : [notSupported(field, value, accepted)];
}

/** ValidateCustomResourceDefinitionNames, for spec.names and status.acceptedNames alike. */
export function validateNames(raw: unknown, path: string): Errors {
  const names = asObject(raw);
  const errs: Errors = [];
  const label = (field: string, value: string, prefix = '') => {
    const msgs = isDNS1035Label(field === 'kind' || field === 'listKind' ? value.toLowerCase() : value);
    if (value && msgs.length) errs.push(invalid(child(path, field), value, prefix + msgs.join(',')));
  };
  label('plural', asString(names.plural));
  label('singular', asString(names.singular));
  label('kind', asString(names.kind), 'may have mixed case, but should otherwise match: ');
  label('listKind', asString(names.listKind), 'may have mixed case, but should otherwise match: ');
  asArray(names.shortNames).forEach((s, i) => {
    const msgs = isDNS1035Label(asString(s));
    if (msgs.length) errs.push(invalid(index(child(path, 'shortNames'), i), s, msgs.join(',')));
  });
  // kind and listKind may not be the same or parsing becomes ambiguous.
  const kind = asString(names.kind);
  if (kind && kind === names.listKind) errs.push(invalid(child(path, 'listKind'), kind, 'kind and listKind may not be the same'));
  asArray(names.categories).forEach((c, i) => {
    const msgs = isDNS1035Label(asString(c));
    if (msgs.length) errs.push(invalid(index(child(path, 'categories'), i), c, msgs.join(',')));
  });
  return errs;
}

const columnTypes = ['boolean', 'date', 'integer', 'number', 'string'];
const columnFormats = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

/** validateSimpleJSONPath: all upstream checks of a path (it is parsed only when serving tables). */
function validateSimpleJSONPath(s: string, field: string): Errors {
  if (s === '') return [invalid(field, s, 'must not be empty')];
  return s[0] === '.' ? [] : [invalid(field, s, 'must be a simple json path starting with .')];
}

/** ValidateCustomResourceColumnDefinition. The path's field is "JSONPath", the internal type's name. */
export function validateColumn(raw: unknown, path: string): Errors {
  const col = asObject(raw);
  const errs: Errors = [];
  if (!asString(col.name)) errs.push(required(child(path, 'name')));
  const type = asString(col.type);
  if (!type) errs.push(required(child(path, 'type'), `must be one of ${columnTypes.join(',')}`));
  else if (!columnTypes.includes(type)) errs.push(invalid(child(path, 'type'), type, `must be one of ${columnTypes.join(',')}`));
  const format = asString(col.format);
  if (format && !columnFormats.includes(format)) errs.push(invalid(child(path, 'format'), format, `must be one of ${columnFormats.join(',')}`));
  const jsonPath = asString(col.jsonPath);
  if (!jsonPath) errs.push(required(child(path, 'JSONPath')));
  else errs.push(...validateSimpleJSONPath(jsonPath, child(path, 'JSONPath')));
  return errs;
}

/** ValidateCustomResourceDefinitionSubresources: the scale paths point into .spec and .status. */
export function validateSubresources(raw: unknown, path: string): Errors {
  if (!isObject(raw) || !isObject(raw.scale)) return [];
  const scale = raw.scale;
  const errs: Errors = [];
  const under = (field: string, prefixes: string[], detail: string) => {
    const value = asString(scale[field]);
    const at = child(path, `scale.${field}`);
    const simple = validateSimpleJSONPath(value, at);
    if (simple.length) errs.push(...simple);
    else if (!prefixes.some((p) => value.startsWith(p))) errs.push(invalid(at, value, detail));
  };
  if (!asString(scale.specReplicasPath)) errs.push(required(child(path, 'scale.specReplicasPath')));
  else under('specReplicasPath', ['.spec.'], 'should be a json path under .spec');
  if (!asString(scale.statusReplicasPath)) errs.push(required(child(path, 'scale.statusReplicasPath')));
  else under('statusReplicasPath', ['.status.'], 'should be a json path under .status');
  if (asString(scale.labelSelectorPath)) under('labelSelectorPath', ['.spec.', '.status.'], 'should be a json path under either .spec or .status');
  return errs;
}

/** The internal form of spec.conversion: v1's webhook.{clientConfig,conversionReviewVersions} flattened. */
export interface Conversion {
  strategy: string;
  webhookClientConfig?: Obj;
  conversionReviewVersions: unknown[];
}

const acceptedReviewVersions = ['v1', 'v1beta1'];

export function hasValidConversionReviewVersionOrEmpty(versions: unknown[]): boolean {
  return versions.length === 0 || versions.some((v) => acceptedReviewVersions.includes(asString(v)));
}

/** validateCustomResourceConversion. Not checked: the webhook's caBundle (upstream parses the PEM). */
export function validateConversion(c: Conversion | undefined, requireRecognizedVersion: boolean, path: string): Errors {
  if (!c) return [];
  const errs: Errors = [...validateEnum(child(path, 'strategy'), c.strategy, ['None', 'Webhook'])];
  const ccPath = child(path, 'webhookClientConfig');
  if (c.strategy !== 'Webhook') {
    if (c.webhookClientConfig) errs.push(forbidden(ccPath, 'should not be set when strategy is not set to Webhook'));
    if (c.conversionReviewVersions.length) errs.push(forbidden(child(path, 'conversionReviewVersions'), 'should not be set when strategy is not set to Webhook'));
    return errs;
  }
  const cc = c.webhookClientConfig;
  if (!cc) {
    errs.push(required(ccPath, 'required when strategy is set to Webhook'));
  } else {
    const hasURL = cc.url !== undefined && cc.url !== null;
    const service = isObject(cc.service) ? cc.service : undefined;
    if (hasURL === (service !== undefined)) {
      errs.push(required(ccPath, 'exactly one of url or service is required'));
    } else if (hasURL) {
      errs.push(...validateWebhookURL(child(ccPath, 'url'), asString(cc.url), true));
    } else if (service) {
      const port = typeof service.port === 'number' ? service.port : 0;
      const svcPath = typeof service.path === 'string' ? service.path : undefined;
      // Upstream passes (name, namespace) to a function declared (namespace, name); the errors follow.
      errs.push(...validateWebhookService(child(ccPath, 'service'), asString(service.name), asString(service.namespace), svcPath, port));
    }
  }
  errs.push(...validateConversionReviewVersions(c.conversionReviewVersions, requireRecognizedVersion, child(path, 'conversionReviewVersions')));
  return errs;
}

function validateConversionReviewVersions(versions: unknown[], requireRecognized: boolean, path: string): Errors {
  if (versions.length === 0) return [required(path)];
  const errs: Errors = [];
  const seen = new Set<string>();
  versions.forEach((raw, i) => {
    const v = asString(raw);
    if (seen.has(v)) {
      errs.push(invalid(index(path, i), v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const msg of isDNS1035Label(v)) errs.push(invalid(index(path, i), v, msg));
  });
  if (requireRecognized && !versions.some((v) => acceptedReviewVersions.includes(asString(v)))) {
    errs.push(invalid(path, versions, `must include at least one of ${acceptedReviewVersions.join(', ')}`));
  }
  return errs;
}

/** ValidateCustomResourceDefinitionStoredVersions: every version ever stored stays in spec.versions. */
export function validateStoredVersions(stored: unknown, versions: Obj[], path: string): Errors {
  const list = asArray(stored).map(asString);
  if (list.length === 0) return [invalid(path, list, 'must have at least one stored version')];
  const errs: Errors = [];
  const remaining = new Map<string, number>();
  list.forEach((v, i) => remaining.set(v, i));
  for (const v of versions) {
    const name = asString(v.name);
    if (v.storage === true && !remaining.has(name)) errs.push(invalid(path, list, `must have the storage version ${name}`));
    remaining.delete(name);
  }
  for (const [v, i] of [...remaining].sort((a, b) => a[1] - b[1])) {
    errs.push(invalid(index(path, i), v, `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`));
  }
  return errs;
}

const approvalAnnotation = 'api-approved.kubernetes.io';
type Approval = 'invalid' | 'approved' | 'bypassed' | 'missing';

const isProtectedGroup = (g: string) => g === 'k8s.io' || g.endsWith('.k8s.io') || g === 'kubernetes.io' || g.endsWith('.kubernetes.io');

function approvalState(annotations: unknown): [Approval, string] {
  const value = asString(asObject(annotations)[approvalAnnotation]);
  if (!value) return ['missing', `protected groups must have approval annotation "${approvalAnnotation}", see https://github.com/kubernetes/enhancements/pull/1111`];
  if (value.startsWith('unapproved')) return ['bypassed', `not approved: ${JSON.stringify(value)}`];
  // url.ParseRequestURI with a scheme and a host.
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#\s]+[^\s]*$/.test(value)) return ['approved', `approved in ${value}`];
  return ['invalid', `protected groups must have approval annotation "${approvalAnnotation}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`];
}

/** validateAPIApproval: CRDs in *.k8s.io and *.kubernetes.io groups name their API review. */
export function validateAPIApproval(group: string, annotations: unknown, oldAnnotations?: unknown): Errors {
  if (!isProtectedGroup(group)) return [];
  const [state, reason] = approvalState(annotations);
  // An update that leaves the state as it was is never refused for it.
  if (oldAnnotations !== undefined && approvalState(oldAnnotations)[0] === state) return [];
  const path = key(child('metadata', 'annotations'), approvalAnnotation);
  if (state === 'missing') return [required(path, reason)];
  if (state === 'invalid') return [invalid(path, asString(asObject(annotations)[approvalAnnotation]), reason)];
  return [];
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** validateDeprecationWarning; the index reported is a byte offset, as Go ranges over a string. */
export function validateDeprecationWarning(deprecated: boolean, warning: unknown): string[] {
  if (!deprecated && warning !== undefined && warning !== null) return ['can only be set for deprecated versions'];
  if (typeof warning !== 'string') return [];
  const errs: string[] = [];
  if (Buffer.byteLength(warning) > 256) errs.push('must be <= 256 characters long');
  if (warning.length === 0) errs.push('must not be an empty string');
  let offset = 0;
  for (const ch of warning) {
    if (!printable.test(ch)) {
      errs.push(`must only contain printable UTF-8 characters; non-printable character found at index ${offset}`);
      break;
    }
    offset += Buffer.byteLength(ch);
  }
  return errs;
}

const maxSelectableFields = 8;

/**
 * ValidateCustomResourceSelectableFields, for the paths it can follow through the schema's
 * properties: upstream resolves them with CEL's field-path parser, whose "is an invalid path"
 * errors are not reproduced here.
 */
export function validateSelectableFields(fields: unknown[], schema: Obj, path: string): Errors {
  const errs: Errors = [];
  const seen = new Set<string>();
  fields.forEach((raw, i) => {
    const at = child(index(path, i), 'jsonPath');
    const jsonPath = asString(asObject(raw).jsonPath);
    if (!jsonPath) {
      errs.push(required(at));
      return;
    }
    const steps = jsonPath.startsWith('.') ? jsonPath.slice(1).split('.') : [];
    let node: Obj | undefined = steps.length && steps.every(Boolean) ? schema : undefined;
    for (const step of steps) node = node && isObject(asObject(node.properties)[step]) ? (asObject(node.properties)[step] as Obj) : undefined;
    if (!node) return;
    if (steps[0] === 'metadata') errs.push(invalid(at, jsonPath, 'must not point to fields in metadata'));
    if (!['string', 'boolean', 'integer'].includes(asString(node.type))) {
      errs.push(invalid(at, jsonPath, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
    }
    if (seen.has(jsonPath)) errs.push(duplicate(at, jsonPath));
    seen.add(jsonPath);
  });
  if (seen.size > maxSelectableFields) errs.push(tooMany(path, seen.size, maxSelectableFields));
  return errs;
}
