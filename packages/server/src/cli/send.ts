/** `hookd send`: one event, signed as hookd signs deliveries, POSTed to a URL; prints the status, timing and answer. */
import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { parsers } from './output.js';
import { deliver, extraHeaders, readJsonData, signRequest } from './signed.js';

interface SendFlags {
  type: string;
  data: string;
  secret: string[];
  scheme: 'standard' | 'hmac-sha256-hex';
  id?: string;
  header?: string[];
  timeout: number;
  json?: boolean;
  dryRun?: boolean;
}

export function sendCommand(): Command {
  return new Command('send')
    .description('POST one event, signed the way hookd signs deliveries, and print the answer')
    .argument('<url>', 'where to send it', parsers.url)
    .requiredOption('--type <type>', 'the event type, e.g. payment.completed', parsers.eventType)
    .option('--data <json>', 'the event data: JSON, @file.json, or @- for standard input', '{}')
    .requiredOption('--secret <secret>', 'signing secret (whsec_… for standard); repeat to sign with two', parsers.collect)
    .addOption(new Option('--scheme <scheme>', 'signature scheme').choices(['standard', 'hmac-sha256-hex']).default('standard'))
    .option('--id <id>', 'the message id (webhook-id / X-Webhook-Delivery); default a new one')
    .option('-H, --header <header>', 'an extra header, "Name: value"; repeatable', parsers.collect)
    .addOption(
      new Option('--timeout <duration>', 'how long to wait for the answer').argParser(parsers.duration).default(30_000, '30s'),
    )
    .option('--dry-run', 'print the signed request instead of sending it')
    .option('--json', 'print the request and the answer as one JSON object')
    .addHelpText(
      'after',
      [
        '',
        'The body is what hookd delivers: {"type", "timestamp", "data"}.',
        '',
        'Examples:',
        `  hookd send http://127.0.0.1:4000/webhook --type payment.completed --data '{"order": 1234}' --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`,
        '  hookd send http://127.0.0.1:4000/webhook --type order.created --data @order.json --secret s3cr3t --scheme hmac-sha256-hex',
        '',
        'Exit codes: 0 answered 2xx, 1 bad flags or input, 2 answered another status, 3 could not reach the URL.',
      ].join('\n'),
    )
    .action(async (url: string, flags: SendFlags) => {
      const data = readJsonData(flags.data);
      const id = flags.id ?? (flags.scheme === 'standard' ? `msg_${randomUUID()}` : `dlv_${randomUUID()}`);
      const signed = signRequest({
        scheme: flags.scheme,
        payload: { type: flags.type, timestamp: new Date().toISOString(), data },
        type: flags.type,
        secrets: flags.secret,
        id,
      });
      signed.headers = { ...signed.headers, 'user-agent': 'hookd-cli', ...extraHeaders(flags.header) };
      await deliver({
        url,
        request: signed,
        label: `${flags.scheme} · ${flags.type}`,
        timeoutMs: flags.timeout,
        json: flags.json === true,
        dryRun: flags.dryRun === true,
      });
    });
}
