import protobuf from 'protobufjs';

/**
 * Writes a message as JSON the way the Mesos master does (stout's jsonify): compact, keys in the
 * order the fields are declared, enum names, bytes as base64, 64-bit integers as bare numbers,
 * whole doubles with a trailing `.0`, repeated fields left out when empty, and unset optional
 * fields that declare a default written with it. Non-ASCII text is written raw.
 */
export function toStoutJson(type: protobuf.Type, value: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const field of type.fieldsArray) {
    field.resolve();
    const v = value[field.name];
    if (v === undefined || v === null) {
      const def = (field.options as Record<string, unknown> | undefined)?.default;
      if (def !== undefined && !field.repeated && !(field.resolvedType instanceof protobuf.Type)) {
        parts.push(`${JSON.stringify(field.name)}:${scalar(field, def)}`);
      }
      continue;
    }
    if (field.repeated) {
      const items = v as unknown[];
      if (items.length === 0) continue;
      parts.push(`${JSON.stringify(field.name)}:[${items.map((item) => one(field, item)).join(',')}]`);
      continue;
    }
    parts.push(`${JSON.stringify(field.name)}:${one(field, v)}`);
  }
  return `{${parts.join(',')}}`;
}

function one(field: protobuf.Field, value: unknown): string {
  if (field.resolvedType instanceof protobuf.Type)
    return toStoutJson(field.resolvedType, value as Record<string, unknown>);
  return scalar(field, value);
}

function scalar(field: protobuf.Field, value: unknown): string {
  if (field.resolvedType instanceof protobuf.Enum) {
    const name = typeof value === 'number' ? field.resolvedType.valuesById[value] : String(value);
    return JSON.stringify(name ?? String(value));
  }
  switch (field.type) {
    case 'double':
    case 'float': {
      const n = Number(value);
      if (!Number.isFinite(n)) return JSON.stringify(n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN');
      // Whole doubles keep a `.0` as stout writes them; past 1e21 JavaScript already writes an exponent.
      return Number.isInteger(n) && Math.abs(n) < 1e21 ? `${n}.0` : String(n);
    }
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return String(value);
    case 'bool':
      return value === true || value === 'true' ? 'true' : 'false';
    case 'string':
    case 'bytes':
      return JSON.stringify(String(value));
    default:
      return String(Number(value));
  }
}
