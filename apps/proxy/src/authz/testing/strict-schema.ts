import { evaluate } from '@marcbachmann/cel-js';

/**
 * The part of a CustomResourceDefinition's OpenAPI v3 schema this check reads
 * (kubectl's structural schemas): objects, lists, maps, scalars, enums,
 * patterns and required fields.
 */
export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  default?: unknown;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a YAML-parsed value against a structural schema, strictly: the API
 * server would prune a field the schema does not name (silently, or with a
 * warning under `kubectl --validate=warn`), so a misspelt field would be a
 * setting that is quietly not there. Here it is a problem. Returns every
 * problem as `path: what`. The CEL rules (`x-kubernetes-validations`) are
 * evaluated as the API server would on a create (transition rules, which
 * read `oldSelf`, are not); a rule the evaluator cannot run is a problem too,
 * so none is skipped unnoticed. Not checked: formats, lengths and counts.
 */
export function schemaProblems(schema: StructuralSchema, value: unknown, path = '$'): string[] {
  if (value === null) return [`${path}: null (leave the field out instead)`];
  const problems: string[] = celProblems(schema, value, path);
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema['x-kubernetes-preserve-unknown-fields']) return problems;
  if (schema['x-kubernetes-int-or-string'])
    return typeof value === 'string' || Number.isInteger(value)
      ? problems
      : [...problems, `${path}: expected an integer or a string`];
  switch (schema.type) {
    case 'object':
      return [...problems, ...objectProblems(schema, value, path)];
    case 'array':
      if (!Array.isArray(value)) return [...problems, `${path}: expected a list, got ${JSON.stringify(value)}`];
      return [
        ...problems,
        ...value.flatMap((v, i) => (schema.items ? schemaProblems(schema.items, v, `${path}[${i}]`) : [])),
      ];
    case 'string':
      if (typeof value !== 'string') return [...problems, `${path}: expected a string, got ${JSON.stringify(value)}`];
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
        problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
      return problems;
    case 'integer':
      return Number.isInteger(value)
        ? problems
        : [...problems, `${path}: expected an integer, got ${JSON.stringify(value)}`];
    case 'number':
      return typeof value === 'number'
        ? problems
        : [...problems, `${path}: expected a number, got ${JSON.stringify(value)}`];
    case 'boolean':
      return typeof value === 'boolean'
        ? problems
        : [...problems, `${path}: expected a boolean, got ${JSON.stringify(value)}`];
    default:
      return problems;
  }
}

function objectProblems(schema: StructuralSchema, value: unknown, path: string): string[] {
  if (!isObject(value)) return [`${path}: expected an object, got ${JSON.stringify(value)}`];
  const problems = (schema.required ?? [])
    .filter((name) => !(name in value))
    .map((name) => `${path}: "${name}" is required`);
  for (const [key, fieldValue] of Object.entries(value)) {
    const at = `${path}.${key}`;
    const field = schema.properties?.[key];
    if (field) problems.push(...schemaProblems(field, fieldValue, at));
    else if (isObject(schema.additionalProperties))
      problems.push(...schemaProblems(schema.additionalProperties, fieldValue, at));
    else if (schema.additionalProperties !== true) problems.push(`${at}: no such field`);
  }
  return problems;
}

/** The names Kubernetes escapes in a CEL field selection (apiextensions' CEL escaping rules). */
const CEL_RESERVED = new Set(
  'true false null in as break const continue else for function if import let loop package namespace return var void while'.split(
    ' ',
  ),
);
const celName = (key: string) =>
  CEL_RESERVED.has(key)
    ? `__${key}__`
    : key
        .replace(/__/g, '__underscores__')
        .replace(/\./g, '__dot__')
        .replace(/-/g, '__dash__')
        .replace(/\//g, '__slash__');

/**
 * `self` as the API server hands it to a rule: defaults applied first (they
 * are, before validation), field names escaped, and integers as CEL's int64
 * (a bigint), so `self.port > 0` compares like with like.
 */
function toCel(schema: StructuralSchema | undefined, value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => toCel(schema?.items, v));
  if (!isObject(value)) return value;
  const defaulted = { ...defaults(schema), ...value };
  return Object.fromEntries(
    Object.entries(defaulted).map(([k, v]) => {
      const field = schema?.properties?.[k];
      if (field) return [celName(k), toCel(field, v)];
      return [k, toCel(isObject(schema?.additionalProperties) ? schema.additionalProperties : undefined, v)];
    }),
  );
}

const defaults = (schema: StructuralSchema | undefined): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(schema?.properties ?? {}).flatMap(([k, field]) =>
      field.default === undefined ? [] : [[k, field.default]],
    ),
  );

function celProblems(schema: StructuralSchema, value: unknown, path: string): string[] {
  return (schema['x-kubernetes-validations'] ?? [])
    .filter(({ rule }) => !/\boldSelf\b/.test(rule) && !CEL_NOT_EVALUATED.some((part) => rule.includes(part)))
    .flatMap(({ rule, message }) => {
      try {
        return evaluate(rule, { self: toCel(schema, value) }) === true ? [] : [`${path}: ${message ?? rule}`];
      } catch (error) {
        return [`${path}: the rule ${JSON.stringify(rule)} could not be evaluated (${(error as Error).message})`];
      }
    });
}

/**
 * Rules this evaluator cannot run, by a part of their text, with why; any
 * other rule it cannot run is a problem, so a new one is seen.
 */
const CEL_NOT_EVALUATED = [
  // @marcbachmann/cel-js 8 refuses has() over an indexed selection ("has()
  // invalid argument"), which CEL allows. Gateway API's HTTPRoute uses it in
  // its four ReplacePrefixMatch rules (a redirect or rewrite needs one
  // PathPrefix match), which no config here comes near.
  'has(self.matches[0].path)',
];
