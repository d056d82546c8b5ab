// Quantity parsing and printing, with cases taken from upstream's quantity_test.go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, compareQuantities, errFormatWrong, errSuffix, parseQuantity, toMilli, toNumber, toValue } from '../../../src/api/validation/quantity.js';

const value = (s: string) => {
  const q = parseQuantity(s);
  return { unscaled: q.unscaled, scale: q.scale, format: q.format };
};
const eq = (a: string, b: string) => compareQuantities(a, b) === 0;

const parsed: [string, string, string][] = [
  // input, an equal value written plainly, format
  ['0', '0', 'DecimalSI'],
  ['0Ki', '0', 'BinarySI'],
  ['1Ki', '1024', 'BinarySI'],
  ['7Mi', String(7 * 1024 * 1024), 'BinarySI'],
  ['3Ei', String(3n * 2n ** 60n), 'BinarySI'],
  ['5n', '0.000000005', 'DecimalSI'],
  ['50k', '50000', 'DecimalSI'],
  ['1E', '1000000000000000000', 'DecimalSI'],
  ['1E-3', '0.001', 'DecimalExponent'],
  ['1.3E+6', '1300000', 'DecimalExponent'],
  ['100.035k', '100035', 'DecimalSI'],
  ['0.0005k', '0.5', 'DecimalSI'],
  ['0.5e-2', '0.005', 'DecimalExponent'],
  ['3.001n', '0.000000004', 'DecimalSI'],
  ['1.1E-9', '0.000000002', 'DecimalExponent'],
  ['0.0000000001', '0.000000001', 'DecimalSI'],
  ['0.00000012345', '0.000000124', 'DecimalSI'],
  ['9Ei', '9223372036854775807', 'BinarySI'],
  ['100.035Ki', '102435.84', 'BinarySI'],
  ['0.05Gi', '53687091.2', 'BinarySI'],
  ['0.000000000001Ki', '0.000000002', 'DecimalSI'],
  ['.001', '0.001', 'DecimalSI'],
  ['1.', '1', 'DecimalSI'],
  ['1.G', '1000000000', 'DecimalSI'],
  ['-3.01k', '-3010', 'DecimalSI'],
  ['+12E', '12000000000000000000', 'DecimalSI'],
];

for (const [input, plain, format] of parsed) {
  test(`parsing ${JSON.stringify(input)} gives the value ${plain} in ${format} format, as upstream's table says`, () => {
    assert.equal(value(input).format, format);
    assert.ok(eq(input, plain), `${input} should equal ${plain}`);
  });
}

const rejected: [string, string][] = [
  ['', errFormatWrong],
  ['1.1.M', errFormatWrong],
  ['1+1.0M', errFormatWrong],
  ['0.1mi', errSuffix],
  ['0.1am', errFormatWrong],
  ['aoeu', errFormatWrong],
  ['.5i', errSuffix],
  ['1i', errSuffix],
  ['-3.01i', errSuffix],
  ['-3.01e-', errSuffix],
  ['1e4294967297', errSuffix],
  [' 1', errFormatWrong],
  ['1 ', errFormatWrong],
  ['1K', errSuffix],
];

for (const [input, message] of rejected) {
  test(`parsing ${JSON.stringify(input)} fails with upstream's error`, () => {
    assert.throws(() => parseQuantity(input), { message });
  });
}

const printed: [string, string][] = [
  ['0.5', '500m'],
  ['1.5Gi', '1536Mi'],
  ['1e3', '1e3'],
  ['1000', '1k'],
  ['100m', '100m'],
  ['0.1', '100m'],
  ['1Gi', '1Gi'],
  ['1024Mi', '1Gi'],
  ['512Mi', '512Mi'],
  ['0.1Ki', '102400m'],
  ['1.5', '1500m'],
  ['10000T', '10P'],
  ['1k', '1k'],
  ['128974848', '128974848'],
  ['129e6', '129e6'],
  ['129M', '129M'],
  ['123Mi', '123Mi'],
  ['0.0000000001', '1n'],
  ['00', '0'],
  ['-1.5Gi', '-1536Mi'],
  ['2.5', '2500m'],
  ['1e-3', '1e-3'],
  ['0.001', '1m'],
];

for (const [input, output] of printed) {
  test(`the API server writes ${JSON.stringify(input)} back as ${JSON.stringify(output)}`, () => {
    assert.equal(canonicalQuantity(input), output);
  });
}

test('toMilli rounds up to thousandths and toValue rounds up to whole units', () => {
  assert.equal(toMilli('100m'), 100);
  assert.equal(toMilli('1'), 1000);
  assert.equal(toMilli('1n'), 1);
  assert.equal(toMilli('2.5'), 2500);
  assert.equal(toValue('1Gi'), 1073741824);
  assert.equal(toValue('100m'), 1);
  assert.equal(toNumber('0.5'), 0.5);
  assert.equal(toNumber('1Ki'), 1024);
});

test('quantities written differently compare by value', () => {
  assert.equal(compareQuantities('100m', '50m'), 1);
  assert.equal(compareQuantities('50m', '100m'), -1);
  assert.equal(compareQuantities('10000T', '100Gi'), 1);
  assert.equal(compareQuantities('1k', '1e3'), 0);
  assert.equal(compareQuantities('0.1', '100m'), 0);
});

test('a quantity parsed again is the same frozen value, and a bad one fails every time', () => {
  for (const s of ['100m', '64Mi', '1.5Gi', '1E-3', '0']) {
    const first = parseQuantity(s);
    const again = parseQuantity(s);
    assert.deepEqual(again, first, s);
    assert.ok(Object.isFrozen(again), `${s} is frozen`);
    assert.equal(canonicalQuantity(s), canonicalQuantity(s), s);
  }
  for (let i = 0; i < 2; i++) assert.throws(() => parseQuantity('12x'), { message: errFormatWrong });
});
