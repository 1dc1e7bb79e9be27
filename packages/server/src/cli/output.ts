/**
 * What the developer commands share on the way out: colours that respect NO_COLOR, exit codes scripts can rely
 * on, and errors that say what to do next.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { isEventTypeName, parseDuration } from '../domain/index.js';

/** Exit codes of every developer command (documented in the README). */
export const EXIT = {
  /** Done: the request was answered 2xx, the replay ran, the listener stopped on Ctrl-C, the record was written. */
  ok: 0,
  /** A flag or an input is wrong (bad JSON, unknown event, missing token): nothing was sent. */
  usage: 1,
  /** The other side answered, but refused or failed: a non-2xx status, an API error, a bad signature. */
  refused: 2,
  /** The other side could not be reached: connection refused, DNS, timeout. */
  unreachable: 3,
  /** What the command names does not exist: hookd answered `app_not_found`, `endpoint_not_found`, … */
  notFound: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the command explains in one line, with a hint on what to do, and ends with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface Paint {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
}

/**
 * Colour when the stream is a terminal, unless NO_COLOR is set (https://no-color.org); FORCE_COLOR turns it on
 * for pipes. NO_COLOR wins over FORCE_COLOR.
 */
function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

function paint(enabled: boolean): Paint {
  const sgr = (open: number, close: number) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    magenta: sgr(35, 39),
    cyan: sgr(36, 39),
  };
}

/** Paint for stdout or stderr of this process. */
export function paintFor(stream: NodeJS.WriteStream): Paint {
  return paint(colourEnabled(stream));
}

/** A status code coloured by its class: 2xx green, 4xx yellow, 5xx and none red. */
export function paintStatus(p: Paint, status: number | null, text = status === null ? '—' : String(status)): string {
  if (status === null || status >= 500) return p.red(text);
  if (status >= 200 && status < 300) return p.green(text);
  if (status >= 300 && status < 400) return p.cyan(text);
  return p.yellow(text);
}

/** One JSON document per line on stdout: what `--json` prints. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** JSON indented for reading when the text is JSON; the text as it is otherwise. */
export function prettyBody(text: string): string {
  if (text.trim() === '') return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Commander argument parsers: a bad value ends the command with exit code 1 and commander's usage message. */
export const parsers = {
  port(text: string): number {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
    return n;
  },
  status(text: string): number {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 100 || n > 599) throw new InvalidArgumentError('expected an HTTP status from 100 to 599.');
    return n;
  },
  duration(text: string): number {
    const ms = parseDuration(text);
    if (ms === null) throw new InvalidArgumentError('expected a duration such as 0, 500ms, 2s or 1m.');
    return ms;
  },
  url(text: string): string {
    if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
      throw new InvalidArgumentError('expected an absolute http:// or https:// URL, e.g. http://127.0.0.1:4000/webhook.');
    }
    return text;
  },
  /** An event type name by the API's own rule, so a bad one is refused before anything is sent. */
  eventType(text: string): string {
    if (!isEventTypeName(text)) {
      throw new InvalidArgumentError(
        'expected an event type such as payment.completed: letters, digits, _ and -, in dot-separated parts, at most 256 characters.',
      );
    }
    return text;
  },
  /** For repeatable flags (`--secret a --secret b`). */
  collect(text: string, previous: string[] | undefined): string[] {
    return [...(previous ?? []), text];
  },
};

/** `2h`, `30m`, `1d` back from now, or an ISO time: what --since (and --until) take. */
export function parseSince(text: string, now = Date.now(), flag = '--since'): Date {
  const ago = parseDuration(text);
  if (ago !== null && /[a-z]$/.test(text.trim())) return new Date(now - ago);
  const at = Date.parse(text);
  if (Number.isNaN(at)) {
    throw new CliError(
      `${flag} ${JSON.stringify(text)} is neither a duration nor a time`,
      EXIT.usage,
      `e.g. ${flag} 2h, ${flag} 30m, ${flag} 2026-01-31T12:00:00Z`,
    );
  }
  return new Date(at);
}

/** Prints a failure the way every command does and returns its exit code. */
export function reportFailure(error: unknown): number | null {
  if (!(error instanceof CliError)) return null;
  const p = paintFor(process.stderr);
  process.stderr.write(`${p.red('hookd:')} ${error.message}\n`);
  if (error.hint) process.stderr.write(`       ${p.dim(error.hint)}\n`);
  return error.exitCode;
}

const described = new WeakSet<object>();

/**
 * Help that shows what commander leaves out: "(required)" on each mandatory option, and the default of an option
 * whose default is described rather than given (`.default(undefined, '5m')`). Applies to the command and its
 * subcommands; call it once the command's options are all added.
 */
export function helpShowsRequiredAndDefaults(command: Command): Command {
  for (const option of command.options) {
    if (described.has(option)) continue;
    described.add(option);
    const extra: string[] = [];
    if (option.mandatory) extra.push('required');
    if (option.defaultValue === undefined && option.defaultValueDescription)
      extra.push(`default: ${option.defaultValueDescription}`);
    if (extra.length > 0) option.description = `${option.description} (${extra.join(', ')})`;
  }
  for (const sub of command.commands) helpShowsRequiredAndDefaults(sub);
  return command;
}
