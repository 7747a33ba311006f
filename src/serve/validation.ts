/**
 * Fastify's schema compiler, TypeBox flavour, wording its failures the same
 * way as the config file: a VigilError naming the field and what is allowed.
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { schemaErrorToVigil, type RawSchemaError } from '../config/schema-errors.js';

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  return (value: unknown) => {
    // Params and query strings arrive as text: convert "true" and "12" before checking.
    const converted = httpPart === 'body' ? value : Value.Convert(schema, value);
    if (validator.Check(converted)) return { value: converted };
    const errors = validator.Errors(converted) as RawSchemaError[];
    return { error: schemaErrorToVigil(schema, converted, errors) };
  };
};
