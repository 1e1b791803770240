/**
 * Canonical JSON: object keys sorted (by UTF-16 code units) at every level, no whitespace,
 * numbers in JavaScript's shortest round-trip form. The same value always gives the same
 * bytes, whatever order its keys were inserted in, so hashes of it are stable.
 *
 * Refuses what JSON cannot carry faithfully (non-finite numbers, bigint, functions, symbols,
 * `undefined` in arrays, Maps and other class instances) instead of silently dropping or
 * mangling it. `undefined` object properties are skipped, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

/** The same as {@link canonicalJson} for an object, without the braces: `"a":1,"b":2`. */
export function canonicalMembers(obj: Readonly<Record<string, unknown>>): string {
  return members(obj, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot represent`);
      }
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => (v === undefined ? fail(`${path}[${i}]`, 'undefined') : write(v, `${path}[${i}]`))).join(',')}]`;
      }
      const withToJson = value as { toJSON?: unknown };
      if (typeof withToJson.toJSON === 'function') return write((withToJson.toJSON as () => unknown)(), path);
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        return fail(
          path,
          `an instance of ${(proto as { constructor?: { name?: string } }).constructor?.name ?? 'a class'}`,
        );
      }
      return `{${members(value as Record<string, unknown>, path)}}`;
    }
    default:
      return fail(path, typeof value);
  }
}

function members(obj: Readonly<Record<string, unknown>>, path: string): string {
  const keys = Object.keys(obj).sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${write(v, `${path}.${k}`)}`);
  }
  return parts.join(',');
}

function fail(path: string, what: string): never {
  throw new TypeError(`canonicalJson: ${path} is ${what}, which JSON cannot represent`);
}
