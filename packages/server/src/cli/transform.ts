/** `hookd transform test`: runs a transformation in the sandbox hookd delivers with, on a sample event, and prints the result. */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { CliError, EXIT } from './output.js';

export function transformCommand(): Command {
  const transform = new Command('transform').description('Try endpoint transformations locally');
  transform
    .command('test')
    .description('Run a transformation on a sample event in the same sandbox and limits as delivery; nothing is sent')
    .argument('<file>', 'the JavaScript file defining function handler(webhook)')
    .requiredOption('--event <file>', 'the delivered body to try, e.g. {"type": …, "timestamp": …, "data": …}')
    .option('--url <url>', 'the endpoint URL the webhook starts with', 'https://example.com/webhook')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', '\nExample:\n  hookd transform test slack.js --event event.json')
    .action(async (file: string, flags: { event: string; url: string; json?: boolean }) => {
      const [source, body] = await Promise.all([readText(file), readText(flags.event)]);
      // Loaded here, not at start-up: the WebAssembly engine is only for this command.
      const { transformationProblem, tryTransformation } = await import('../transform/index.js');
      const problem = await transformationProblem(source);
      if (problem !== null) throw new CliError(`transformation_invalid: ${problem}`, EXIT.usage);
      const request = {
        method: 'POST',
        url: new URL(flags.url).href,
        headers: { 'content-type': 'application/json', 'user-agent': 'hookd/0.1' },
        body,
      };
      const outcome = await tryTransformation(source, request, eventTime(body));
      if (flags.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
      if (outcome.kind === 'error') throw new CliError(`transformation_failed: ${outcome.message}`, EXIT.usage);
      if (flags.json) return;
      if (outcome.kind === 'cancel') {
        process.stdout.write('cancelled: the delivery would be skipped\n');
        return;
      }
      const { method, url, headers } = outcome.request;
      const lines = [`${method} ${url}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
      process.stdout.write(`${lines.join('\n')}\n\n${outcome.request.body}\n`);
    });
  return transform;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, EXIT.usage);
  }
}

/** The event's `timestamp`, the clock a transformation sees at delivery; now when the sample has none. */
function eventTime(body: string): number {
  try {
    const at = Date.parse((JSON.parse(body) as { timestamp?: string }).timestamp ?? '');
    return Number.isNaN(at) ? Date.now() : at;
  } catch {
    return Date.now();
  }
}
