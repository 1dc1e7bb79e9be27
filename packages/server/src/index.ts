/** hookd as a library: start a server in-process (tests, embedding) with a typed config. */

export { ERRORS, type ErrorCode } from './api/index.js';
export { type Config, ConfigError, loadConfig, type RawSettings } from './config.js';
export { ATTEMPT_ERRORS, type AttemptError, type AttemptErrorCode } from './domain/index.js';
export { type Hookd, type HookdOptions, startHookd } from './server.js';
