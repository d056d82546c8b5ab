// The errors kube-openapi's schema validator reports (k8s.io/kube-openapi/pkg/validation/errors
// schema.go and validate/schema_messages.go), with their exact message text. CRD validation
// turns each into a field error by its code and shows the message as the detail, so the words a
// user reads in `kubectl apply` are these. The "in" of every message is "body": a custom
// resource is always validated as a request body.

export type OpenAPICode =
  | 'invalidType'
  | 'required'
  | 'tooLong'
  | 'tooShort'
  | 'pattern'
  | 'enum'
  | 'multipleOf'
  | 'max'
  | 'min'
  | 'unique'
  | 'maxItems'
  | 'minItems'
  | 'tooFewProperties'
  | 'tooManyProperties'
  | 'unallowedProperty'
  | 'multipleOfMustBePositive'
  /** errors.New(CompositeErrorCode, …): anyOf/oneOf/allOf/not/dependencies. No name, no value. */
  | 'composite';

export interface OpenAPIError {
  code: OpenAPICode;
  /** The validator's path: "spec.replicas", ".spec" for a required field of the root. */
  name: string;
  message: string;
  /** The offending value; undefined stands for Go's nil. */
  value?: unknown;
  /** The limit that was crossed (maxLength, maxItems, maxProperties…). */
  valid?: number;
  /** The allowed values of an enum. */
  values?: unknown[];
}

const IN = 'body';

/** fmt's %q for a string; JSON quoting is the same for everything a CR holds but control bytes. */
export const goQuote = (s: string): string => JSON.stringify(s);

/** fmt's %v for a float64: shortest digits, exponent form below 1e-4 and from 1e21 on, and a
 *  two-digit exponent ("1e-05"), where JavaScript would write 0.00001. */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, exp] = v.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 21) return `${mantissa}e${exp[0]}${exp.slice(1).padStart(2, '0')}`;
  return String(v);
}

/** fmt's %v for a decoded JSON value: what enum lists and numeric limits print as. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goValue(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

export const invalidType = (name: string, typeName: string, value: unknown): OpenAPIError => ({
  code: 'invalidType',
  name,
  value,
  message: typeof value === 'string' ? `${name} in ${IN} must be of type ${typeName}: ${goQuote(value)}` : `${name} in ${IN} must be of type ${typeName}`,
});

export const required = (name: string): OpenAPIError => ({ code: 'required', name, message: `${name} in ${IN} is required` });

export const tooLong = (name: string, max: number, value: string): OpenAPIError => ({
  code: 'tooLong', name, value, valid: max, message: `${name} in ${IN} should be at most ${max} chars long`,
});

export const tooShort = (name: string, min: number, value: string): OpenAPIError => ({
  code: 'tooShort', name, value, valid: min, message: `${name} in ${IN} should be at least ${min} chars long`,
});

/** The pattern is quoted as the schema wrote it (ECMA syntax), not as it was compiled. */
export const failedPattern = (name: string, pattern: string, value: string): OpenAPIError => ({
  code: 'pattern', name, value, message: `${name} in ${IN} should match '${pattern}'`,
});

export const enumFail = (name: string, value: unknown, values: unknown[]): OpenAPIError => ({
  code: 'enum', name, value, values, message: `${name} in ${IN} should be one of ${goValue(values)}`,
});

/** factor and limits arrive already printed: an integer value is compared with the limit
 *  truncated to an integer, and the message shows that truncated limit. */
export const notMultipleOf = (name: string, factor: string, value: number): OpenAPIError => ({
  code: 'multipleOf', name, value, message: `${name} in ${IN} should be a multiple of ${factor}`,
});

export const multipleOfMustBePositive = (name: string, factor: string, value: number): OpenAPIError => ({
  code: 'multipleOfMustBePositive', name, value, message: `factor MultipleOf declared for ${name} must be positive: ${factor}`,
});

export const exceedsMaximum = (name: string, max: string, exclusive: boolean, value: number): OpenAPIError => ({
  code: 'max', name, value, message: `${name} in ${IN} should be less than ${exclusive ? '' : 'or equal to '}${max}`,
});

export const exceedsMinimum = (name: string, min: string, exclusive: boolean, value: number): OpenAPIError => ({
  code: 'min', name, value, message: `${name} in ${IN} should be greater than ${exclusive ? '' : 'or equal to '}${min}`,
});

export const duplicateItems = (name: string): OpenAPIError => ({ code: 'unique', name, message: `${name} in ${IN} shouldn't contain duplicates` });

export const tooManyItems = (name: string, max: number, size: number): OpenAPIError => ({
  code: 'maxItems', name, value: size, valid: max, message: `${name} in ${IN} should have at most ${max} items`,
});

export const tooFewItems = (name: string, min: number, size: number): OpenAPIError => ({
  code: 'minItems', name, value: size, valid: min, message: `${name} in ${IN} should have at least ${min} items`,
});

export const tooFewProperties = (name: string, min: number, size: number): OpenAPIError => ({
  code: 'tooFewProperties', name, value: size, valid: min, message: `${name} in ${IN} should have at least ${min} properties`,
});

export const tooManyProperties = (name: string, max: number, size: number): OpenAPIError => ({
  code: 'tooManyProperties', name, value: size, valid: max, message: `${name} in ${IN} should have at most ${max} properties`,
});

export const propertyNotAllowed = (name: string, key: string): OpenAPIError => ({
  code: 'unallowedProperty', name, value: key, message: `${name}.${key} in ${IN} is a forbidden property`,
});

const composite = (message: string): OpenAPIError => ({ code: 'composite', name: '', message });

export const mustValidateAtLeastOneSchema = (path: string) => composite(`${goQuote(path)} must validate at least one schema (anyOf)`);
export const mustValidateOnlyOneSchema = (path: string, additional: string) => composite(`${goQuote(path)} must validate one and only one schema (oneOf). ${additional}`);
export const mustValidateAllSchemas = (path: string, additional: string) => composite(`${goQuote(path)} must validate all the schemas (allOf)${additional}`);
export const mustNotValidateSchema = (path: string) => composite(`${goQuote(path)} must not validate the schema (not)`);
export const hasADependency = (path: string, key: string) => composite(`${goQuote(path)} has a dependency on ${key}`);
