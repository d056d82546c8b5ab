// apiextensions.k8s.io/v1 defaults (apiextensions-apiserver pkg/apis/apiextensions/v1/defaults.go):
// the names a CRD may leave out, the None conversion, the first stored version, and port 443 for
// a conversion webhook service. Printer columns and preserveUnknownFields get no defaults in v1
// (the server adds the AGE column when serving, not in the stored object).
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (o: Obj, k: string): Obj => {
  if (!isObj(o[k])) o[k] = {};
  return o[k] as Obj;
};
const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function defaultCustomResourceDefinition(crd: Obj): void {
  const spec = child(crd, 'spec');
  const names = child(spec, 'names');
  const kind = text(names.kind);
  if (!text(names.singular)) names.singular = kind.toLowerCase();
  if (!text(names.listKind) && kind) names.listKind = `${kind}List`;
  if (!isObj(spec.conversion)) spec.conversion = { strategy: 'None' };
  const conversion = spec.conversion as Obj;
  const webhook = isObj(conversion.webhook) ? conversion.webhook : undefined;
  const service = webhook && isObj(webhook.clientConfig) && isObj(webhook.clientConfig.service) ? webhook.clientConfig.service : undefined;
  if (service && (service.port === undefined || service.port === null)) service.port = 443;

  const stored = isObj(crd.status) ? crd.status.storedVersions : undefined;
  if (!Array.isArray(stored) || stored.length === 0) {
    const storage = (Array.isArray(spec.versions) ? spec.versions : []).find((v) => isObj(v) && v.storage === true) as Obj | undefined;
    if (storage) child(crd, 'status').storedVersions = [text(storage.name)];
  }
}
