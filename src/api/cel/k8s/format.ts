// Kubernetes' format library (k8s.io/apiserver/pkg/cel/library/format.go, 1.31+): named string
// formats, each a value (format.dns1123Label(), or format.named("dns1123Label") as an optional)
// whose validate(s) gives none when s is valid and else the list of upstream's messages. The name
// checks are the project's apimachinery validators; uri is url.ParseRequestURI; uuid, byte, date
// and datetime are the CRD string formats.
import type { Environment } from '@marcbachmann/cel-js';
import { cel } from '../library.js';
import { formatChecker } from '../../crd/openapi-formats.js';
import { isQualifiedName, isValidLabelValue, nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain } from '../../validation/names.js';
import { parseRequestURI } from './go-url.js';
import { defineNamespace, defineType } from './runtime.js';

const FORMAT_TYPE = 'kubernetes.NamedFormat';
const NAMESPACE_TYPE = 'kubernetes.FormatFunctions';

class NamedFormat {
  constructor(
    readonly name: string,
    readonly validate: (s: string) => string[],
  ) {}
}

function uriErrors(s: string): string[] {
  try {
    parseRequestURI(s);
    return [];
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}

/** A CRD format check, with the single message upstream gives when it fails. */
const stringFormat = (format: string, message: string) => (s: string) => (formatChecker(format)!(s) ? [] : [message]);

const formats: Record<string, NamedFormat> = {
  dns1123Label: new NamedFormat('DNS1123Label', (s) => nameIsDNSLabel(s, false)),
  dns1123Subdomain: new NamedFormat('DNS1123Subdomain', (s) => nameIsDNSSubdomain(s, false)),
  dns1035Label: new NamedFormat('DNS1035Label', (s) => nameIsDNS1035Label(s, false)),
  qualifiedName: new NamedFormat('QualifiedName', isQualifiedName),
  dns1123LabelPrefix: new NamedFormat('DNS1123LabelPrefix', (s) => nameIsDNSLabel(s, true)),
  dns1123SubdomainPrefix: new NamedFormat('DNS1123SubdomainPrefix', (s) => nameIsDNSSubdomain(s, true)),
  dns1035LabelPrefix: new NamedFormat('DNS1035LabelPrefix', (s) => nameIsDNS1035Label(s, true)),
  labelValue: new NamedFormat('LabelValue', isValidLabelValue),
  uri: new NamedFormat('URI', uriErrors),
  uuid: new NamedFormat('uuid', stringFormat('uuid', 'does not match the UUID format')),
  byte: new NamedFormat('byte', stringFormat('byte', 'invalid base64')),
  date: new NamedFormat('date', stringFormat('date', 'invalid date')),
  datetime: new NamedFormat('datetime', stringFormat('datetime', 'invalid datetime')),
};

/** The names format.named() knows, for tests and documentation. */
export const formatNames = Object.keys(formats);

function validate(f: NamedFormat, s: string): unknown {
  const errs = f.validate(s);
  return errs.length === 0 ? cel().Optional.none() : cel().Optional.of(errs);
}

export function registerFormat(env: Environment): void {
  defineType(env, FORMAT_TYPE, NamedFormat);
  defineNamespace(env, 'format', NAMESPACE_TYPE);
  env.registerFunction(`${NAMESPACE_TYPE}.named(string): optional<${FORMAT_TYPE}>`, (_: unknown, name: string) =>
    Object.hasOwn(formats, name) ? cel().Optional.of(formats[name]) : cel().Optional.none(),
  );
  for (const [name, f] of Object.entries(formats)) env.registerFunction(`${NAMESPACE_TYPE}.${name}(): ${FORMAT_TYPE}`, () => f);
  env.registerFunction(`${FORMAT_TYPE}.validate(string): optional<list<string>>`, validate);
  env.registerOperator(`${FORMAT_TYPE} == ${FORMAT_TYPE}`, (a: NamedFormat, b: NamedFormat) => a === b);
}
