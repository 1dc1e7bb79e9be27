/** Idempotency stores: one atomic claim per delivery id, in memory, SQLite, Redis or PostgreSQL. */
export { type MemoryIdempotencyOptions, memoryIdempotencyStore } from './memory.js';
export { type PostgresIdempotencyOptions, type PostgresQueryable, postgresIdempotencyStore } from './postgres.js';
export { type RedisIdempotencyClient, type RedisIdempotencyOptions, redisIdempotencyStore } from './redis.js';
export { type SqliteIdempotencyOptions, sqliteIdempotencyStore } from './sqlite.js';
export type { IdempotencyStore } from './types.js';
