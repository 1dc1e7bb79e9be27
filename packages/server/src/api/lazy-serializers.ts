/**
 * Response serializers compiled on their first use, not at start: fast-json-stringify code generation for every
 * route's answers was a large part of the time from `hookd serve` to ready. The compiler is fastify's own.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type BuildSerializer = ReturnType<typeof SerializerSelector>;

const buildSerializer: BuildSerializer = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data) => {
      serialize ??= compile(route) as (data: unknown) => string;
      return serialize(data);
    };
  };
};

export const LAZY_SERIALIZERS: FastifyServerOptions['schemaController'] = { compilersFactory: { buildSerializer } };
