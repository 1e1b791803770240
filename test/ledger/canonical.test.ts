import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/ledger/index.js';

describe('canonicalJson', () => {
  it('sorts keys at every level, whatever their insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ '10': 1, '9': 2, a: 3 })).toBe('{"10":1,"9":2,"a":3}');
  });

  it('round-trips every finite double exactly', () => {
    for (const x of [0.1 + 0.2, 1e-300, -1.7976931348623157e308, 5e-324, 123456789.12345679, 2 / 3]) {
      expect(JSON.parse(canonicalJson({ x })).x).toBe(x);
    }
  });

  it('skips undefined properties and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson({ a: { b: Number.NaN } })).toThrow(
      'canonicalJson: $.a.b is NaN, which JSON cannot represent',
    );
    expect(() => canonicalJson([undefined])).toThrow(/\$\[0\] is undefined/);
    expect(() => canonicalJson({ m: new Map() })).toThrow(/\$\.m is an instance of Map/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });
});
