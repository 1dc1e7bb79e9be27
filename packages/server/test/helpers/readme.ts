/**
 * Runs a README's ```sh blocks as a reader types them: in order, in one bash session, with the blocks the README marks
 * `<!-- readme-test: background -->` (a second terminal) started beside it and `<!-- readme-test: skip … -->` left out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { eventually } from './hookd.js';

export interface ShBlock {
  /** The `## ` heading the block is under. */
  section: string;
  mode: 'run' | 'background' | 'skip';
  text: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

export function shBlocks(markdown: string): ShBlock[] {
  const blocks: ShBlock[] = [];
  let section = '';
  let mode: ShBlock['mode'] = 'run';
  let open: { line: number; lines: string[] } | null = null;
  markdown.split('\n').forEach((text, index) => {
    if (open !== null) {
      if (text.startsWith('```')) {
        blocks.push({ section, mode, text: open.lines.join('\n'), line: open.line });
        open = null;
        mode = 'run';
      } else open.lines.push(text);
      return;
    }
    const marker = /^<!-- readme-test: (background|skip)\b.*-->$/.exec(text);
    if (marker) mode = marker[1] as ShBlock['mode'];
    else if (text.startsWith('## ')) section = text.slice(3).trim();
    else if (text === '```sh') open = { line: index + 1, lines: [] };
    else if (text.startsWith('```')) mode = 'run'; // a marker applies to the next block only, whatever its language
  });
  return blocks;
}

/** The statuses a block says its commands print: `# 202` on a line of its own, or after a command. */
export function expectedStatuses(block: string): number[] {
  return [...block.matchAll(/#\s*(\d{3})\s*$/gm)].map((m) => Number(m[1]));
}

/** The statuses a block's output shows: lines that start with three digits (curl's -w, send.ts). */
export function printedStatuses(output: string): number[] {
  return [...output.matchAll(/^(\d{3})(?:\s|$)/gm)].map((m) => Number(m[1]));
}

/** A child in its own process group, so killing it ends whatever it started (npx → npm → node). */
export interface Started {
  child: ChildProcess;
  output(): string;
  kill(): Promise<void>;
}

export function startGroup(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Started {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const collect = (chunk: Buffer) => {
    out += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {}
        await exited;
      } else {
        // The leader is gone; children it left in the group still go.
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {}
      }
    },
  };
}

/**
 * One bash session fed block by block. Its prelude is the whole harness: stop at the first failing command, stderr
 * beside stdout, and curl fails on an answer of 400 or more (the README's commands all expect success).
 */
export class ShellSession {
  private readonly shell: Started;
  private seen = 0;
  private count = 0;

  constructor(options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.shell = startGroup('bash', ['--noprofile', '--norc'], options);
    this.shell.child.stdin?.write('set -eo pipefail\nexec 2>&1\ncurl() { command curl --fail-with-body "$@"; }\n');
  }

  /** Runs one block to its end; resolves with what it printed, rejects with it if a command failed. */
  async run(block: string, timeoutMs = 60_000): Promise<string> {
    const marker = `@@readme-block-${++this.count}@@`;
    this.shell.child.stdin?.write(`${block}\nprintf '\\n%s\\n' '${marker}'\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = this.shell.output();
      const end = all.indexOf(`\n${marker}\n`, this.seen);
      if (end !== -1) {
        const output = all.slice(this.seen, end);
        this.seen = end + marker.length + 2;
        return output;
      }
      if (this.shell.child.exitCode !== null)
        throw new Error(
          `the block failed (bash exited ${this.shell.child.exitCode}):\n${block}\n--- output:\n${all.slice(this.seen)}`,
        );
      if (Date.now() > deadline)
        throw new Error(`the block ran over ${timeoutMs} ms:\n${block}\n--- output:\n${all.slice(this.seen)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): Promise<void> {
    return this.shell.kill();
  }
}

/** Resolves once something accepts connections on the port (a bare connection: a catcher such as hookd listen logs no request). */
export function listening(port: number, what: string, started?: Started): Promise<true> {
  return eventually(
    async () => {
      if (started && started.child.exitCode !== null) throw new Error(`${what} exited:\n${started.output()}`);
      return new Promise<true | undefined>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(undefined));
      });
    },
    30_000,
    `${what} to listen on port ${port}`,
  );
}
