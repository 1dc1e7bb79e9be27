/** The package's version, read from its package.json: one number for the API document and `hookd --version`. */
import { createRequire } from 'node:module';

// src/ and dist/ both sit beside package.json, so the same relative path holds for the sources and the build.
export const VERSION: string = createRequire(import.meta.url)('../package.json').version;
