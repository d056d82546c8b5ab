// apiextensions.k8s.io/v1 JSONSchemaProps, the shape of a CRD version's openAPIV3Schema.
// kubernetes-types has the interface but drops the x-kubernetes-* extensions (their names are
// not identifiers), and validation and defaulting turn on exactly those, so the type is spelled
// out here. Every kubernetes-types JSONSchemaProps is assignable to this one.
import type { ValidationRule } from 'kubernetes-types/apiextensions/v1.js';

export interface JSONSchemaProps {
  id?: string;
  $schema?: string;
  $ref?: string;
  description?: string;
  type?: string;
  format?: string;
  title?: string;
  default?: unknown;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  multipleOf?: number;
  enum?: unknown[];
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  items?: JSONSchemaProps | JSONSchemaProps[];
  allOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  patternProperties?: Record<string, JSONSchemaProps>;
  dependencies?: Record<string, JSONSchemaProps | string[]>;
  additionalItems?: JSONSchemaProps | boolean;
  definitions?: Record<string, JSONSchemaProps>;
  externalDocs?: { description?: string; url?: string };
  example?: unknown;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
}

/** The schema every element of an array follows. CRD validation forbids the tuple form (an array
 *  of schemas), so it has no single item schema and is treated as absent. */
export function itemSchema(s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  const items = s?.items;
  return items && !Array.isArray(items) ? items : undefined;
}

/** The schema of the values of a map (additionalProperties given as a schema). */
export function additionalPropertiesSchema(s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  const ap = s?.additionalProperties;
  return typeof ap === 'object' && ap !== null ? ap : undefined;
}

/** The schema of one named field of an object: its property, else the map value schema. */
export function fieldSchema(s: JSONSchemaProps | undefined, name: string): JSONSchemaProps | undefined {
  if (!s) return undefined;
  if (s.properties && Object.hasOwn(s.properties, name)) return s.properties[name];
  return additionalPropertiesSchema(s);
}
