/**
 * Turns TypeBox validation errors into one VigilError that names the field,
 * what was given and what is allowed. Used for API bodies, query strings and
 * the config file alike, so every surface words its errors the same way.
 */
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { VigilError, type ErrorCode } from '../errors.js';

export interface SchemaErrorOptions {
  /** Prepended to every field path (`streams.cam1`). */
  prefix?: string;
  /** Prepended to the message (the config file name). */
  label?: string;
  /** Code for a wrong value; unknown keys get `UNKNOWN_FIELD` unless this is set. */
  code?: ErrorCode;
}

/** The raw shape TypeBox (and Fastify's validation array) report. */
export interface RawSchemaError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

type SchemaNode = Record<string, unknown>;

function pointerParts(pointer: string): string[] {
  return pointer
    .replace(/^#/, '')
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function walk(root: unknown, parts: string[]): unknown {
  let node = root;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function joinField(prefix: string | undefined, parts: string[]): string {
  return [...(prefix ? [prefix] : []), ...parts].join('.');
}

// Values under these keys may hold credentials (rtsp://user:pass@...), so errors never echo them.
const SECRET_FIELD = /(token|password|secret|key|url)$/i;

function describeValue(value: unknown, field: string): string {
  if (value === undefined) return 'nothing';
  if (SECRET_FIELD.test(field)) return `a ${value === null ? 'null' : typeof value} (value hidden)`;
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Says in words what a schema accepts ("one of tcp, udp", "a number >= 0"). */
export function describeExpected(schema: unknown): string {
  if (schema === null || typeof schema !== 'object') return 'a valid value';
  const s = schema as SchemaNode;
  if (typeof s.description === 'string') return s.description;
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => String(v)).join(', ')}`;
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.anyOf)) return s.anyOf.map(describeExpected).join(' or ');
  switch (s.type) {
    case 'string':
      return typeof s.pattern === 'string' ? `a string matching ${s.pattern}` : 'a string';
    case 'number':
    case 'integer': {
      const kind = s.type === 'integer' ? 'an integer' : 'a number';
      const bounds = [
        typeof s.minimum === 'number' ? `>= ${s.minimum}` : undefined,
        typeof s.maximum === 'number' ? `<= ${s.maximum}` : undefined,
      ].filter((b) => b !== undefined);
      return bounds.length > 0 ? `${kind} ${bounds.join(' and ')}` : kind;
    }
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'null':
      return 'null';
    default:
      return 'a valid value';
  }
}

function allowedKeys(schema: unknown): string[] {
  const properties = (schema as SchemaNode | undefined)?.properties;
  return properties && typeof properties === 'object' ? Object.keys(properties) : [];
}

/** Picks the most useful error of a list and words it. */
export function schemaErrorToVigil(
  schema: TSchema,
  value: unknown,
  errors: readonly RawSchemaError[],
  options: SchemaErrorOptions = {},
): VigilError {
  const label = options.label ? `${options.label}: ` : '';
  const make = (code: ErrorCode, field: string, text: string): VigilError =>
    new VigilError(options.code ?? code, `${label}${field}: ${text}`, { field });

  // Branch failures inside an anyOf and `false` sub-schemas only repeat a better error.
  const useful = errors.filter((e) => !e.schemaPath.includes('/anyOf/') && e.keyword !== 'boolean');
  const unknown = useful.find((e) => e.keyword === 'additionalProperties');
  if (unknown) {
    const keys = (unknown.params.additionalProperties as string[] | undefined) ?? [];
    const at = pointerParts(unknown.instancePath);
    const allowed = allowedKeys(walk(schema, pointerParts(unknown.schemaPath)));
    return make(
      'UNKNOWN_FIELD',
      joinField(options.prefix, [...at, keys[0] ?? '?']),
      `unknown key; allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`,
    );
  }
  const required = useful.find((e) => e.keyword === 'required');
  if (required) {
    const missing = (required.params.requiredProperties as string[] | undefined) ?? [];
    const field = joinField(options.prefix, [...pointerParts(required.instancePath), missing[0] ?? '?']);
    return make('INVALID_ARGUMENT', field, 'required');
  }
  const first = useful[0] ?? errors[0];
  if (!first) return make('INVALID_ARGUMENT', options.prefix ?? 'body', 'invalid value');
  const at = pointerParts(first.instancePath);
  const expected = describeExpected(walk(schema, pointerParts(first.schemaPath)));
  const given = walk(value, at);
  const field = at.length > 0 || options.prefix ? joinField(options.prefix, at) : 'body';
  return make('INVALID_ARGUMENT', field, `expected ${expected}, got ${describeValue(given, field)}`);
}

/** Validates `value` against `schema`, throwing a VigilError that names the first bad field. */
const compiled = new WeakMap<TSchema, ReturnType<typeof Compile>>();

export function checkSchema<T extends TSchema>(schema: T, value: unknown, options: SchemaErrorOptions = {}): Static<T> {
  let validator = compiled.get(schema);
  if (!validator) {
    validator = Compile(schema);
    compiled.set(schema, validator);
  }
  if (validator.Check(value)) return value as Static<T>;
  throw schemaErrorToVigil(schema, value, validator.Errors(value) as RawSchemaError[], options);
}

/** A config value the schema let through but a later check refused: `label: field: text`, naming the field. */
export function invalidConfig(label: string, field: string, text: string): VigilError {
  return new VigilError('INVALID_CONFIG', `${label}: ${field}: ${text}`, { field });
}
