/** The `hookd` command run as a user runs it: a child process, its output collected, bounded in time. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hookdCommand } from './built.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/** Where the commands look for saved profiles unless a test says: an empty folder, never the user's own. */
let configHome: string | undefined;

/**
 * Colour and server settings of the test's own environment are dropped, so each test says what it wants; profiles
 * saved by `hookd login` on this machine are out of reach.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of [
    'NO_COLOR',
    'FORCE_COLOR',
    'HOOKD_URL',
    'HOOKD_TOKEN',
    'HOOKD_ADMIN_TOKEN',
    'HOOKD_DATA_DIR',
    'HOOKD_PROFILE',
  ])
    delete env[key];
  if (configHome === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'hookd-cli-config-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    configHome = made;
  }
  return { ...env, XDG_CONFIG_HOME: configHome, ...extra };
}

export function spawnCli(args: string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [...hookdCommand(), ...args], {
    env: childEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs `hookd …args` to its end; kills it and fails after `timeoutMs`. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const child = spawnCli(args, options);
  const timeoutMs = options.timeoutMs ?? 30_000;
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin?.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookd ${args.join(' ')} ran over ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running command (`listen`, `tail`) whose output a test waits on. */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the stdout once `pattern` appears in it (or in stderr with `stream: 'stderr'`). */
  waitFor(pattern: RegExp | string, options?: { timeoutMs?: number; stream?: 'stdout' | 'stderr' }): Promise<string>;
  /** SIGINT, as Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const child = spawnCli(args, options);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, { timeoutMs = 15_000, stream = 'stdout' } = {}) {
      const deadline = Date.now() + timeoutMs;
      const text = () => (stream === 'stdout' ? out : err);
      const matches = () => (typeof pattern === 'string' ? text().includes(pattern) : pattern.test(text()));
      while (!matches()) {
        if (child.exitCode !== null)
          throw new Error(`hookd ${args[0]} exited (${child.exitCode}) before ${pattern}\n${out}\n${err}`);
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${pattern} from hookd ${args[0]}\nstdout: ${out}\nstderr: ${err}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return text();
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The origin a `hookd listen` started with `--port 0` names in its banner: the port it got. */
export async function listenUrl(cli: RunningCli): Promise<string> {
  const banner = await cli.waitFor(/hookd listen on http:\/\/[^\s/]+/, { stream: 'stderr' });
  return (/hookd listen on (http:\/\/[^\s/]+)/.exec(banner) as RegExpExecArray)[1] as string;
}
