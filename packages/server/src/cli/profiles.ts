/**
 * Named connections to hookd servers, kept in one JSON file that `hookd login` writes at mode 0600:
 * $XDG_CONFIG_HOME/hookd/config.json, else ~/.config/hookd/config.json.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { CliError, EXIT } from './output.js';

export interface Profile {
  server: string;
  token: string;
}

interface ProfileFile {
  profiles: Record<string, Profile>;
}

export const DEFAULT_PROFILE = 'default';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Where the file is; XDG_CONFIG_HOME counts only when absolute, as the XDG spec says. */
export function profilesPath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'hookd', 'config.json');
}

export function checkProfileName(name: string): string {
  if (!NAME.test(name)) {
    throw new CliError(
      `--profile ${JSON.stringify(name)} is not a profile name`,
      EXIT.usage,
      'letters, digits, ".", "_" and "-", up to 64, e.g. --profile staging',
    );
  }
  return name;
}

function readFile(path: string): ProfileFile {
  if (!existsSync(path)) return { profiles: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(
      `${path} is not JSON: ${(error as Error).message}`,
      EXIT.usage,
      'fix it, or delete it and run hookd login',
    );
  }
  const profiles = (parsed as Partial<ProfileFile> | null)?.profiles;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw new CliError(`${path} has no "profiles" object`, EXIT.usage, 'delete it and run hookd login');
  }
  return { profiles };
}

/** Every profile; a file others can read is used, with a warning, as ssh does for keys. */
export function readProfiles(env: NodeJS.ProcessEnv, warn: (line: string) => void = () => {}): Record<string, Profile> {
  const path = profilesPath(env);
  const file = readFile(path);
  if (existsSync(path) && process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    warn(`hookd: ${path} can be read by other users; it holds API tokens (chmod 600 ${path})`);
  }
  return file.profiles;
}

/** Adds or replaces one profile; the file is written whole, at 0600, and renamed into place. */
export function saveProfile(env: NodeJS.ProcessEnv, name: string, profile: Profile): string {
  const path = profilesPath(env);
  const file = readFile(path);
  file.profiles[name] = profile;
  writeProfiles(path, file);
  return path;
}

/** Removes one profile; false when there was none of that name. */
export function removeProfile(env: NodeJS.ProcessEnv, name: string): boolean {
  const path = profilesPath(env);
  const file = readFile(path);
  if (!(name in file.profiles)) return false;
  delete file.profiles[name];
  writeProfiles(path, file);
  return true;
}

function writeProfiles(path: string, file: ProfileFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  // mode applies only when the file is created; chmod covers a leftover temporary file.
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
