// The string formats a CRD schema may validate, as kube-openapi's strfmt registry checks them
// (pkg/validation/strfmt), limited to the set apiextensions keeps (pkg/apiserver/validation/
// formats.go): any other format on a string is dropped before validation, as are numeric
// formats other than int32/int64 and float/double. Format names are compared with their dashes
// removed ("date-time" is "datetime"), as go-openapi normalizes them.
import { isIP, isIPv6 } from 'node:net';
import { tryParseQuantity } from '../validation/quantity.js';

type Checker = (s: string) => boolean;

const normalize = (name: string) => name.replaceAll('-', '');

/** govalidator's and Go's checks, translated; comments name what each stands for. */
const checkers: Record<string, Checker> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: isRequestURI,
  email: isEmail,
  hostname: isHostname,
  ipv4: (s) => isSloppyIP(s) && s.includes('.'),
  ipv6: (s) => isSloppyIP(s) && s.includes(':'),
  cidr: isCIDR,
  mac: isMAC,
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  isbn: (s) => isISBN10(s) || isISBN13(s),
  isbn10: isISBN10,
  isbn13: isISBN13,
  creditcard: isCreditCard,
  ssn: (s) => s.length === 11 && /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => /^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$/.test(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(s),
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
  quantity: (s) => tryParseQuantity(s) !== undefined,
  // Kubernetes 1.34 added these two to the formats CRDs may use.
  k8sshortname: (s) => s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s),
  k8slongname: (s) => s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s),
};

/** StripUnsupportedFormatsPostProcess: the format a schema node is validated with ('' for none).
 *  types is the node's type list after x-kubernetes-int-or-string widened it. */
export function effectiveFormat(types: readonly string[], format: string | undefined): string {
  if (!format) return '';
  const type = types.length === 1 ? types[0] : '';
  switch (type) {
    case '':
    case 'string':
      return Object.hasOwn(checkers, normalize(format)) ? format : '';
    case 'integer':
      return format === 'int32' || format === 'int64' ? format : '';
    case 'number':
      return format === 'float' || format === 'double' ? format : '';
    default:
      return '';
  }
}

/** The registry's checker for a string format, if it knows the name. */
export function formatChecker(format: string): Checker | undefined {
  const name = normalize(format);
  return Object.hasOwn(checkers, name) ? checkers[name] : undefined;
}

/** netutils.ParseIPSloppy (Go's net.ParseIP before 1.17): Kubernetes still accepts IPv4 parts
 *  with leading zeros ("10.0.0.01"), read as decimal; IPv6 as usual, without a zone. */
function isSloppyIP(s: string): boolean {
  const quad = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (quad) return quad.slice(1).every((part) => Number(part) <= 255);
  return isIP(s) !== 0 && !s.includes('%');
}

/** netutils.ParseCIDRSloppy: an address as above, a slash, a prefix length that fits. */
function isCIDR(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  if (!isSloppyIP(addr) || !/^\d+$/.test(mask)) return false;
  return Number(mask) <= (isIPv6(addr) ? 128 : 32);
}

/** net.ParseMAC: 6, 8 or 20 octets as aa:bb…, aa-bb… or aabb.ccdd… */
function isMAC(s: string): boolean {
  let groups: number;
  if (/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2})*$/.test(s)) groups = (s.length + 1) / 3;
  else if (/^[0-9a-fA-F]{4}(\.[0-9a-fA-F]{4})*$/.test(s)) groups = (2 * (s.length + 1)) / 5;
  else return false;
  return groups === 6 || groups === 8 || groups === 20;
}

/** url.ParseRequestURI: "*", an absolute path, or a scheme followed by an opaque part, an
 *  authority without spaces, or a path; no control bytes and no broken %-escapes anywhere. */
function isRequestURI(s: string): boolean {
  if (s === '' || /[\x00-\x1f\x7f]/.test(s)) return false;
  if (s === '*') return true;
  if (/%(?![0-9a-fA-F]{2})/.test(s)) return false;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  if (!scheme) return s.startsWith('/');
  const rest = s.slice(scheme[0].length);
  if (!rest.startsWith('//')) return true;
  const authority = rest.slice(2).split(/[/?#]/, 1)[0];
  return !/\s/.test(authority);
}

const atom = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uFFFF]+";
const addrSpec = `(?:${atom}(?:\\.${atom})*|"(?:[^"\\\\]|\\\\.)*")@(?:${atom}(?:\\.${atom})*|\\[[^\\[\\]\\\\]*\\])`;
const emailRe = new RegExp(`^\\s*(?:${addrSpec}|[^<>]*<${addrSpec}>)\\s*$`);

/** net/mail.ParseAddress: "local@domain" or "Display Name <local@domain>". */
function isEmail(s: string): boolean {
  return emailRe.test(s);
}

// kube-openapi's HostnamePattern, letter for letter. Its branch for a single label allows one
// dash, only as the label's second character ("x-y" matches, "my-host" does not); a dotted name
// needs a top-level domain of 2 to 63 letters.
const hostChar = '[a-zA-Z0-9\\p{S}\\p{L}]';
const hostnameRe = new RegExp(
  `^(${hostChar}((-?${hostChar}{0,62})?)|(${hostChar}(([-a-zA-Z0-9\\p{S}\\p{L}]{0,61}${hostChar})?)(\\.)){1,}([a-zA-Z\\p{L}]){2,63})$`,
  'u',
);

/** strfmt.IsHostname: the pattern, at most 255 bytes, no label over 63 bytes. */
function isHostname(s: string): boolean {
  if (!hostnameRe.test(s) || Buffer.byteLength(s) > 255) return false;
  return s.split('.').every((label) => Buffer.byteLength(label) <= 63);
}

/** time.Parse("2006-01-02"): four-digit year, two-digit month and day, a day the month has. */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** strfmt.IsDateTime: a date, a "t" (either case), then hh:mm:ss[.frac] and "z" or ±hh:mm. */
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1]);
  return m !== null && m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

const goDurationRe = /^[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const scalaDurationRe = /^\s*(?:\d+\s*[A-Za-zµ]+\s*)+$/;
const durationUnits = [['ns', 'nano'], ['us', 'µs', 'micro'], ['ms', 'milli'], ['s', 'sec'], ['m', 'min'], ['h', 'hr', 'hour'], ['d', 'day'], ['w', 'wk', 'week']];

/** strfmt.ParseDuration: Go's time.ParseDuration, else "<n> <unit>" groups where a unit is a
 *  known abbreviation or starts with the long name ("3 days", "1 hour 5 minutes"). */
function isDuration(s: string): boolean {
  if (goDurationRe.test(s)) return true;
  if (!scalaDurationRe.test(s)) return false;
  for (const m of s.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)) {
    const unit = m[2].trim().toLowerCase();
    for (const variants of durationUnits) {
      const last = variants.length - 1;
      if (variants.some((v, i) => (i === last && unit.startsWith(v)) || v === unit)) return true;
    }
  }
  return false;
}

function isISBN10(s: string): boolean {
  const d = s.replace(/[\s-]+/g, '');
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * Number(d[i]);
  sum += 10 * (d[9] === 'X' ? 10 : Number(d[9]));
  return sum % 11 === 0;
}

function isISBN13(s: string): boolean {
  const d = s.replace(/[\s-]+/g, '');
  if (!/^[0-9]{13}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(d[i]);
  return Number(d[12]) - ((10 - (sum % 10)) % 10) === 0;
}

/** govalidator.IsCreditCard: the digits (anything else is ignored) of a known card range that
 *  pass the Luhn check. */
function isCreditCard(s: string): boolean {
  const d = s.replace(/[^0-9]+/g, '');
  if (!/^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/.test(d)) return false;
  let sum = 0;
  let double = false;
  for (let i = d.length - 1; i >= 0; i--) {
    let n = Number(d[i]);
    if (double) {
      n *= 2;
      if (n >= 10) n = (n % 10) + 1;
    }
    sum += n;
    double = !double;
  }
  return sum % 10 === 0;
}
