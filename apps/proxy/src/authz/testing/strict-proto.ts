import protobuf from 'protobufjs';

/**
 * Checks a YAML-parsed config against a protobuf message the way Envoy's
 * (and Istio's) loader reads it, but strictly: protobufjs' `fromObject`
 * drops a field it does not know, and so would hide a misspelt one. Returns
 * every problem as `path: what` (an empty list: the config is well formed).
 *
 * What is checked: every key is a field of its message (as the Root was
 * loaded: snake_case or lowerCamel, not both); no field is deprecated; at
 * most one field of a oneof; enums by a name the enum has (not deprecated);
 * scalars by their JSON form; nested messages, lists and maps recursed;
 * `google.protobuf.Any` resolved by its `@type` URL and checked as that
 * message; Duration as `"0.25s"`; wrappers (`UInt32Value`...) as their
 * scalar; Struct/Value free-form. And of the protoc-gen-validate rules
 * Envoy applies after parsing, the ones that make a field required (a
 * `required` message, Duration or Any, a `min_len`/`min_items` of 1 or more,
 * a required oneof); not ranges, patterns or lengths beyond that.
 *
 * `fragment`: the value is part of the message (say, only its
 * `http_filters`), so the top level's required fields are not asked for;
 * every message inside it is still complete.
 */
export function protoProblems(
  root: protobuf.Root,
  typeName: string,
  value: unknown,
  { path = '$', fragment = false }: { path?: string; fragment?: boolean } = {},
): string[] {
  return checkMessage(root, root.lookupType(typeName), value, path, !fragment);
}

const ANY_PREFIX = 'type.googleapis.com/';
const WRAPPERS: Record<string, string> = {
  DoubleValue: 'double',
  FloatValue: 'float',
  Int64Value: 'int64',
  UInt64Value: 'uint64',
  Int32Value: 'int32',
  UInt32Value: 'uint32',
  BoolValue: 'bool',
  StringValue: 'string',
  BytesValue: 'bytes',
};
const DURATION = /^-?\d+(\.\d{1,9})?s$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkMessage(
  root: protobuf.Root,
  type: protobuf.Type,
  value: unknown,
  path: string,
  complete = true,
): string[] {
  const wellKnown = checkWellKnown(root, type, value, path);
  if (wellKnown !== undefined) return wellKnown;
  if (!isObject(value)) return [`${path}: expected a ${type.name} object, got ${JSON.stringify(value)}`];
  const problems: string[] = complete ? missingRequired(type, value, path) : [];
  const oneofsSet = new Map<string, string>();
  for (const [key, fieldValue] of Object.entries(value)) {
    const at = `${path}.${key}`;
    const field = type.fields[key];
    if (!field) {
      problems.push(`${at}: ${type.fullName.slice(1)} has no field "${key}"`);
      continue;
    }
    if (field.options?.['deprecated'] === true) problems.push(`${at}: deprecated in ${type.fullName.slice(1)}`);
    if (field.partOf) {
      const other = oneofsSet.get(field.partOf.name);
      if (other !== undefined) problems.push(`${at}: "${other}" is already set in oneof ${field.partOf.name}`);
      oneofsSet.set(field.partOf.name, key);
    }
    problems.push(...checkField(root, field, fieldValue, at));
  }
  return problems;
}

/** protoc-gen-validate's rules that a field or a oneof be set, as protobufjs keeps them in `options`. */
function missingRequired(type: protobuf.Type, value: Record<string, unknown>, path: string): string[] {
  const name = type.fullName.slice(1);
  const fields = Object.values(type.fields)
    .filter((field) => !field.partOf && !(field.name in value) && requiredByRules(field.options ?? {}))
    .map((field) => `${path}: ${name} requires "${field.name}"`);
  const oneofs = Object.values(type.oneofs ?? {})
    .filter((oneof) => oneof.options?.['(validate.required)'] === true && !oneof.oneof.some((f) => f in value))
    .map((oneof) => `${path}: ${name} requires one of ${oneof.oneof.join(', ')}`);
  return [...fields, ...oneofs];
}

function requiredByRules(options: Record<string, unknown>): boolean {
  const atLeastOne = (key: string) => typeof options[key] === 'number' && (options[key] as number) >= 1;
  return (
    ['message', 'duration', 'any', 'timestamp'].some((kind) => options[`(validate.rules).${kind}.required`] === true) ||
    atLeastOne('(validate.rules).string.min_len') ||
    atLeastOne('(validate.rules).string.min_bytes') ||
    atLeastOne('(validate.rules).repeated.min_items') ||
    atLeastOne('(validate.rules).map.min_pairs')
  );
}

function checkField(root: protobuf.Root, field: protobuf.Field, value: unknown, path: string): string[] {
  if (value === null) return [`${path}: null (leave the field out instead)`];
  if (field instanceof protobuf.MapField) {
    if (!isObject(value)) return [`${path}: expected a map, got ${JSON.stringify(value)}`];
    return Object.entries(value).flatMap(([k, v]) => checkSingle(root, field, v, `${path}.${k}`));
  }
  if (field.repeated) {
    if (!Array.isArray(value)) return [`${path}: expected a list, got ${JSON.stringify(value)}`];
    return value.flatMap((v, i) => checkSingle(root, field, v, `${path}[${i}]`));
  }
  return checkSingle(root, field, value, path);
}

function checkSingle(root: protobuf.Root, field: protobuf.Field, value: unknown, path: string): string[] {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return checkMessage(root, resolved, value, path);
  if (resolved instanceof protobuf.Enum) return checkEnum(resolved, value, path);
  return checkScalar(field.type, value, path);
}

function checkEnum(type: protobuf.Enum, value: unknown, path: string): string[] {
  if (typeof value === 'string') {
    if (!(value in type.values)) return [`${path}: ${type.fullName.slice(1)} has no value "${value}"`];
    if (type.valuesOptions?.[value]?.['deprecated'] === true)
      return [`${path}: ${value} is deprecated in ${type.fullName.slice(1)}`];
    return [];
  }
  if (typeof value === 'number' && Object.values(type.values).includes(value)) return [];
  return [`${path}: ${type.fullName.slice(1)} has no value ${JSON.stringify(value)}`];
}

function checkScalar(scalar: string, value: unknown, path: string): string[] {
  const integer = (v: unknown) =>
    (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
  const ok = ((): boolean => {
    switch (scalar) {
      case 'string':
      case 'bytes':
        return typeof value === 'string';
      case 'bool':
        return typeof value === 'boolean';
      case 'double':
      case 'float':
        return typeof value === 'number' || value === 'NaN' || value === 'Infinity' || value === '-Infinity';
      case 'uint32':
      case 'fixed32':
      case 'uint64':
      case 'fixed64':
        return integer(value) && !String(value).startsWith('-');
      default:
        return integer(value);
    }
  })();
  return ok ? [] : [`${path}: expected ${scalar}, got ${JSON.stringify(value)}`];
}

/** The messages whose JSON form is not an object of their fields; undefined for every other. */
function checkWellKnown(root: protobuf.Root, type: protobuf.Type, value: unknown, path: string): string[] | undefined {
  const name = type.fullName.slice(1);
  if (!name.startsWith('google.protobuf.')) return undefined;
  const short = name.slice('google.protobuf.'.length);
  const wrapped = WRAPPERS[short];
  if (wrapped !== undefined) return checkScalar(wrapped, value, path);
  switch (short) {
    case 'Duration':
      return typeof value === 'string' && DURATION.test(value)
        ? []
        : [`${path}: a Duration is written "0.25s", got ${JSON.stringify(value)}`];
    case 'Timestamp':
    case 'FieldMask':
      return typeof value === 'string' ? [] : [`${path}: expected a ${short} string, got ${JSON.stringify(value)}`];
    case 'Struct':
      return isObject(value) ? [] : [`${path}: expected an object, got ${JSON.stringify(value)}`];
    case 'Value':
      return [];
    case 'ListValue':
      return Array.isArray(value) ? [] : [`${path}: expected a list, got ${JSON.stringify(value)}`];
    case 'Empty':
      return isObject(value) && Object.keys(value).length === 0 ? [] : [`${path}: expected {}`];
    case 'Any':
      return checkAny(root, value, path);
    default:
      return undefined;
  }
}

function checkAny(root: protobuf.Root, value: unknown, path: string): string[] {
  if (!isObject(value)) return [`${path}: expected an Any object, got ${JSON.stringify(value)}`];
  const { '@type': url, ...rest } = value;
  if (typeof url !== 'string' || !url.startsWith(ANY_PREFIX))
    return [`${path}.@type: expected "${ANY_PREFIX}<message>", got ${JSON.stringify(url)}`];
  const named = root.lookup(url.slice(ANY_PREFIX.length));
  if (!(named instanceof protobuf.Type)) return [`${path}.@type: no message ${url.slice(ANY_PREFIX.length)} is loaded`];
  return checkMessage(root, named, rest, path);
}
