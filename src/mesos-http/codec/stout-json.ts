import protobuf from 'protobufjs';
import { CallRejected } from './errors.ts';

/**
 * Converts a parsed JSON value into a message the way the Mesos master's JSON parser (stout) does:
 * keys must be exact proto field names (others, camelCase included, are ignored), `null` means
 * unset, enums must be their names (a JSON number is an error, an unknown name leaves an optional
 * field unset), bytes must be base64, numbers may be numeric strings, booleans may be "true" /
 * "false", and required fields are checked at the end. The result is offerlab's plain shape:
 * numbers as numbers, 64-bit `nanoseconds` as decimal strings, bytes as base64 strings.
 */
export function fromStoutJson(type: protobuf.Type, json: unknown): Record<string, unknown> {
  const missing: string[] = [];
  const out = convertMessage(type, json, '', missing, undefined);
  if (missing.length > 0) throw reject(`Missing required fields: ${missing.join(', ')}`);
  return out;
}

const DROP = Symbol('drop');
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function reject(message: string): CallRejected {
  return new CallRejected(400, `Failed to convert JSON into Call protobuf: ${message}`);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function convertMessage(
  type: protobuf.Type,
  json: unknown,
  prefix: string,
  missing: string[],
  fieldName: string | undefined,
): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw reject(`Not expecting a JSON ${kind(json)} for field '${fieldName ?? type.name}'`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const field = type.fields[key];
    if (!field || value === null) continue;
    field.resolve();
    if (field.repeated) {
      if (!Array.isArray(value)) throw reject(`Not expecting a JSON ${kind(value)} for field '${key}'`);
      const items: unknown[] = [];
      value.forEach((item, i) => {
        const v = convertValue(field, item, `${prefix}${key}[${i}].`, missing);
        if (v !== DROP) items.push(v);
      });
      if (items.length > 0) out[key] = items;
      continue;
    }
    if (Array.isArray(value)) throw reject(`Not expecting a JSON array for field '${key}'`);
    const v = convertValue(field, value, `${prefix}${key}.`, missing);
    if (v !== DROP) out[key] = v;
  }
  for (const field of type.fieldsArray) {
    if (field.required && out[field.name] === undefined) missing.push(`${prefix}${field.name}`);
  }
  return out;
}

function convertValue(field: protobuf.Field, value: unknown, prefix: string, missing: string[]): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return convertMessage(resolved, value, prefix, missing, field.name);
  if (resolved instanceof protobuf.Enum) {
    if (typeof value !== 'string')
      throw reject(`Not expecting a JSON ${kind(value)} for field '${field.name}'`);
    if (resolved.values[value] === undefined) {
      if (field.required) throw reject(`Failed to find enum for '${value}' in field '${field.name}'`);
      return DROP;
    }
    return value;
  }
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string')
        throw reject(`Not expecting a JSON ${kind(value)} for field '${field.name}'`);
      return value;
    case 'bytes':
      if (typeof value !== 'string')
        throw reject(`Not expecting a JSON ${kind(value)} for field '${field.name}'`);
      if (!BASE64.test(value)) throw reject(`Failed to base64 decode bytes field '${field.name}'`);
      return value;
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw reject(`Not expecting a JSON ${kind(value)} for field '${field.name}'`);
    case 'double':
    case 'float':
      if (typeof value === 'number') return value;
      if (value === 'Infinity') return Number.POSITIVE_INFINITY;
      if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
      throw reject(`Not expecting a JSON ${kind(value)} for field '${field.name}'`);
    default: {
      // integers; 64-bit `nanoseconds` stay decimal strings so no precision is lost
      let text: string;
      if (typeof value === 'number' && Number.isInteger(value)) text = String(value);
      else if (typeof value === 'string' && /^[+-]?\d+$/.test(value)) text = value.replace(/^\+/, '');
      else throw reject(`Not expecting a JSON ${kind(value)} for field '${field.name}'`);
      return field.name === 'nanoseconds' ? text : Number(text);
    }
  }
}
