// APIService validation (kube-aggregator's apiregistration/validation ValidateAPIService): the
// name is exactly `<version>.<group>`, the group a DNS subdomain (empty only for the legacy `v1`),
// the version a DNS-1035 label, both priorities in range; a local APIService (no service) carries
// no TLS settings, a remote one names its Service and does not skip verification of a CA bundle
// it was given. The name's path-segment rule is the ObjectMeta name validator's (index.ts).
import { asObject, asString, child, invalid, required, type Errors } from './field.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName } from './names.js';

type Obj = Record<string, unknown>;

/** caBundle arrives base64-encoded: its decoded length, as upstream reports it ("N bytes"). */
function caBundleBytes(v: unknown): number {
  return typeof v === 'string' && v !== '' ? Buffer.from(v, 'base64').length : 0;
}

export function validateAPIService(o: Obj): Errors {
  const errs: Errors = [];
  const spec = asObject(o.spec);
  const group = asString(spec.group);
  const version = asString(spec.version);
  const name = asString(asObject(o.metadata).name);
  const requiredName = `${version}.${group}`;
  // ObjectMeta validation reports a name that is not a path segment; only a valid one is compared.
  if (name !== '' && isValidPathSegmentName(name).length === 0 && name !== requiredName) {
    errs.push(invalid('metadata.name', name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`));
  }
  if (group === '' && version !== 'v1') errs.push(required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group !== '') for (const m of isDNS1123Subdomain(group)) errs.push(invalid('spec.group', group, m));
  for (const m of isDNS1035Label(version)) errs.push(invalid('spec.version', version, m));

  const groupPriority = typeof spec.groupPriorityMinimum === 'number' ? spec.groupPriorityMinimum : 0;
  if (groupPriority <= 0 || groupPriority > 20000) errs.push(invalid('spec.groupPriorityMinimum', groupPriority, 'must be positive and less than 20000'));
  const versionPriority = typeof spec.versionPriority === 'number' ? spec.versionPriority : 0;
  if (versionPriority <= 0 || versionPriority > 1000) errs.push(invalid('spec.versionPriority', versionPriority, 'must be positive and less than 1000'));

  const bundle = caBundleBytes(spec.caBundle);
  const insecure = spec.insecureSkipTLSVerify === true;
  if (spec.service === undefined || spec.service === null) {
    if (bundle > 0) errs.push(invalid('spec.caBundle', `${bundle} bytes`, 'local APIServices may not have a caBundle'));
    if (insecure) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  const service = asObject(spec.service);
  const path = 'spec.service';
  if (asString(service.namespace) === '') errs.push(required(child(path, 'namespace')));
  if (asString(service.name) === '') errs.push(required(child(path, 'name')));
  if (insecure && bundle > 0) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}
