/** `hookd trigger`: a realistic sample of a provider's event, signed with that provider's scheme, POSTed to a URL. */
import type { SchemeName } from '@hookd/sdk';
import { Command, Option } from 'commander';
import { applyOverrides, readFixture } from './fixtures.js';
import { CliError, EXIT, paintFor, parsers, printJson } from './output.js';
import { findSample, SAMPLES } from './samples/index.js';
import { deliver, extraHeaders, signRequest } from './signed.js';

interface TriggerFlags {
  to?: string;
  secret?: string[];
  provider?: 'stripe' | 'github' | 'shopify' | 'slack' | 'standard';
  header?: string[];
  timeout: number;
  list?: boolean;
  json?: boolean;
  dryRun?: boolean;
  set?: string[];
  fixture?: string;
}

/** What trigger sends: a sample made now, or a saved fixture; either with the --set overrides applied. */
function eventToSend(
  event: string | undefined,
  flags: TriggerFlags,
): { provider: SchemeName; type: string; id?: string; payload: unknown } {
  if (flags.fixture) {
    const fixture = readFixture(flags.fixture, flags.provider);
    const sample = SAMPLES.find((s) => s.provider === fixture.provider);
    return {
      provider: fixture.provider,
      type: event ?? fixture.event ?? 'fixture',
      id: sample?.newId(),
      payload: applyOverrides(fixture.payload, flags.set ?? []),
    };
  }
  if (event === undefined)
    throw new CliError('name an event to trigger', EXIT.usage, '`hookd trigger --list` shows them, or pass --fixture');
  const sample = findSample(event, flags.provider);
  if (!sample) {
    const names = [...new Set(SAMPLES.map((s) => s.event))].join(', ');
    throw new CliError(`there is no sample of ${JSON.stringify(event)}`, EXIT.usage, `try one of: ${names}`);
  }
  const id = sample.newId();
  const payload = sample.payload({ id, now: Math.floor(Date.now() / 1000) });
  return { provider: sample.provider, type: sample.event, id, payload: applyOverrides(payload, flags.set ?? []) };
}

function listSamples(json: boolean): void {
  if (json) {
    printJson(SAMPLES.map((s) => ({ event: s.event, provider: s.provider, description: s.description })));
    return;
  }
  const p = paintFor(process.stdout);
  const width = Math.max(...SAMPLES.map((s) => s.event.length));
  let provider = '';
  for (const sample of SAMPLES) {
    if (sample.provider !== provider) {
      provider = sample.provider;
      process.stdout.write(`${p.bold(provider)}\n`);
    }
    process.stdout.write(`  ${sample.event.padEnd(width)}  ${p.dim(sample.description)}\n`);
  }
}

export function triggerCommand(): Command {
  return new Command('trigger')
    .description("Send a realistic sample of a provider's event, signed the way that provider signs it")
    .argument('[event]', 'payment_intent.succeeded, push, pull_request, orders/create, user.created, … (see --list)')
    .option('--to <url>', 'where to send it', parsers.url)
    .option('--secret <secret>', 'the signing secret your handler verifies with; repeat to sign with two', parsers.collect)
    .addOption(
      new Option('--provider <provider>', 'pick the provider when an event name is not enough').choices([
        'stripe',
        'github',
        'shopify',
        'slack',
        'standard',
      ]),
    )
    .option('-H, --header <header>', 'an extra header, "Name: value"; repeatable', parsers.collect)
    .addOption(
      new Option('--timeout <duration>', 'how long to wait for the answer').argParser(parsers.duration).default(30_000, '30s'),
    )
    .option('--set <path=value>', 'change the payload: data.amount=5000 (the value JSON, else text); repeatable', parsers.collect)
    .option(
      '--fixture <file>',
      'send a saved event instead of a sample: {"provider", "event", "payload"} (hookd listen --save-fixtures writes them)',
    )
    .option('--list', 'list the events there are samples of')
    .option('--dry-run', 'print the signed request instead of sending it')
    .option('--json', 'print the request and the answer (or the list) as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  hookd trigger payment_intent.succeeded --to http://127.0.0.1:4242/webhooks/stripe --secret "$STRIPE_WEBHOOK_SECRET"',
        '  hookd trigger push --to http://127.0.0.1:3000/github --secret "$GITHUB_WEBHOOK_SECRET"',
        '  hookd trigger orders/create --to http://127.0.0.1:3000/shopify --secret "$SHOPIFY_CLIENT_SECRET"',
        '  hookd trigger user.created --to http://127.0.0.1:4000/webhook --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        `  hookd trigger invoice.paid --to http://127.0.0.1:4000/webhook --secret "$SECRET" --set data.amount=5000 --set data.currency=USD`,
        '  hookd trigger --fixture ./fixtures/0001-invoice.paid.json --to http://127.0.0.1:4000/webhook --secret "$SECRET"',
        '  hookd trigger --list',
        '',
        'Exit codes: 0 answered 2xx, 1 bad flags or unknown event, 2 answered another status, 3 could not reach the URL.',
      ].join('\n'),
    )
    .action(async (event: string | undefined, flags: TriggerFlags) => {
      if (flags.list) return listSamples(flags.json === true);
      const chosen = eventToSend(event, flags);
      if (!flags.to) throw new CliError('--to <url> is required: where should the event go?', EXIT.usage);
      if (!flags.secret) {
        throw new CliError(
          `--secret is required: the ${chosen.provider} signing secret your handler verifies with`,
          EXIT.usage,
          chosen.provider === 'standard' ? 'a Standard Webhooks secret looks like whsec_<base64>' : undefined,
        );
      }
      const signed = signRequest({
        scheme: chosen.provider,
        payload: chosen.payload as object,
        type: chosen.type,
        secrets: flags.secret,
        id: chosen.id,
      });
      signed.headers = { ...signed.headers, ...extraHeaders(flags.header) };
      await deliver({
        url: flags.to,
        request: signed,
        label: `${chosen.provider} · ${chosen.type}${flags.fixture ? ` (fixture ${flags.fixture})` : ''}`,
        timeoutMs: flags.timeout,
        json: flags.json === true,
        dryRun: flags.dryRun === true,
      });
    });
}
