/**
 * Deterministic JSON: the bytes an audit entry's hash is computed over.
 *
 * Object keys are sorted (by UTF-16 code units, as RFC 8785 does), properties
 * whose value is `undefined` (or a function or symbol) are left out, Dates are
 * their ISO strings, bigints their decimal digits, and numbers and strings are
 * written as JSON.stringify writes them. For plain JSON data this is the JSON
 * Canonicalization Scheme (RFC 8785), so an auditor can recompute a hash with
 * any JCS library.
 */
export function canonicalJson(value: unknown): string {
  const text = canonical(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return text;
}

function canonical(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON has no NaN or Infinity; JSON.stringify writes null, and so do we.
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      return canonicalObject(value);
    default:
      // undefined, functions, symbols: absent, as in JSON.stringify.
      return undefined;
  }
}

function canonicalObject(value: object): string | undefined {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item) ?? 'null').join(',')}]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonical((value as { toJSON(): unknown }).toJSON());
  }
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const member = canonical((value as Record<string, unknown>)[key]);
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
  }
  return `{${members.join(',')}}`;
}
