/** `hookd listen`: a local webhook catcher that shows, verifies, keeps, forwards and replays what it is sent. */
import { resolve } from 'node:path';
import { generateSecret } from '@hookd/sdk';
import { SCHEMES, type SchemeName } from '@hookd/sdk/verify';
import { Command, Option } from 'commander';
import { answerLine, forwardLine, requestBlock, requestJson } from './listen-print.js';
import { type ForwardRoute, forwardRoute } from './listen-routes.js';
import { createListenServer } from './listen-server.js';
import { openListenStore } from './listen-store.js';
import { CliError, EXIT, paintFor, parsers, printJson } from './output.js';

interface ListenFlags {
  port: number;
  host: string;
  secret?: string[];
  provider?: SchemeName;
  status?: number;
  delay: number;
  body?: string;
  forward?: ForwardRoute[];
  saveFixtures?: string;
  db: string;
  maxBody: number;
  json?: boolean;
}

export function listenCommand(): Command {
  return new Command('listen')
    .description('Catch webhooks locally: print each request, check its signature, keep it, show it on a web page')
    .addOption(new Option('--port <port>', 'port to listen on').argParser(parsers.port).default(3000))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--secret <secret>', 'check signatures with this secret; repeat for a rotation')
        .argParser(parsers.collect)
        .default(undefined, 'a whsec_… secret made on first run and kept in --db'),
    )
    .addOption(
      new Option('--provider <scheme>', 'the signature scheme to check; default: read from the request’s headers').choices(
        Object.keys(SCHEMES),
      ),
    )
    .addOption(
      new Option('--status <code>', 'status to answer with')
        .argParser(parsers.status)
        .default(undefined, '200, or the app’s with --forward'),
    )
    .addOption(
      new Option('--delay <duration>', 'wait this long before answering, e.g. 2s').argParser(parsers.duration).default(0),
    )
    .addOption(
      new Option('--body <text>', 'body to answer with').default(undefined, '{"received":true}, or the app’s with --forward'),
    )
    .option(
      '--forward <[pattern=]url>',
      'relay each request to your app and answer with its answer; repeat with event-type patterns to route (order.*=URL)',
      forwardRoute,
    )
    .option('--save-fixtures <dir>', 'save each caught JSON request as a fixture for hookd trigger --fixture')
    .option('--db <file>', 'SQLite file that keeps the requests', './.hookd-listen.sqlite')
    .addOption(new Option('--max-body <bytes>', 'largest body accepted').argParser(Number).default(10 * 1024 * 1024, '10 MiB'))
    .option('--json', 'print each request as one JSON line instead of a block')
    .addHelpText(
      'after',
      [
        '',
        'Requests to any path are caught, except /_hookd: the web page that lists them live.',
        'With --forward http://host:port (no path) the caught path is kept; a URL with a path is used as it is.',
        'Repeated, --forward routes by event type: the first PATTERN=URL whose pattern matches the request’s type',
        '(order.created matches order.* and *), else the one given as a bare URL; with neither, the request is not relayed.',
        'Without --secret, listen makes a Standard Webhooks secret (kept in --db, printed at start): give it to the',
        'endpoint that sends here and each request shows "✓ signature verified".',
        '',
        'Examples:',
        '  hookd listen --port 3000 --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        '  hookd listen --provider stripe --secret "$STRIPE_WEBHOOK_SECRET" --forward http://127.0.0.1:4242',
        '  hookd listen --status 503 --delay 2s        # see how a sender copes with a slow, failing receiver',
        "  hookd listen --forward 'order.*=http://127.0.0.1:3000/orders' --forward http://127.0.0.1:3000/other",
        '  hookd listen --save-fixtures ./fixtures     # then: hookd trigger --fixture ./fixtures/0001-….json …',
        '',
        'Exit codes: 0 stopped with Ctrl-C, 1 bad flags or the port is taken.',
      ].join('\n'),
    )
    .action(async (flags: ListenFlags) => {
      const store = openListenStore(resolve(flags.db));
      const out = paintFor(process.stdout);
      const json = flags.json === true;
      const secretGenerated = flags.secret === undefined;
      const secrets = flags.secret ?? [store.secret(generateSecret)];
      const forward = flags.forward ?? [];
      const server = createListenServer({
        store,
        secrets,
        secretGenerated,
        saveFixtures: flags.saveFixtures === undefined ? undefined : resolve(flags.saveFixtures),
        onFixture: (path) => {
          if (!json) process.stdout.write(`${paintFor(process.stdout).dim(`  saved as a fixture: ${path}`)}\n`);
        },
        provider: flags.provider,
        status: flags.status,
        delayMs: flags.delay,
        body: flags.body,
        forward,
        maxBodyBytes: flags.maxBody,
        host: flags.host,
        onCaught: (request) => {
          if (!json) process.stdout.write(`\n${requestBlock(out, request)}\n`);
        },
        onAnswered: (request, status, forwarded) => {
          if (json) return printJson(requestJson(request));
          if (request.forward) process.stdout.write(`${forwardLine(out, request.forward)}\n`);
          process.stdout.write(`${answerLine(out, status, flags.delay, forwarded)}\n`);
        },
      });
      await new Promise<void>((ready, fail) => {
        server.once('error', (error: NodeJS.ErrnoException) =>
          fail(
            error.code === 'EADDRINUSE'
              ? new CliError(`port ${flags.port} is taken`, EXIT.usage, 'stop what uses it, or pick another with --port')
              : new CliError(`cannot listen on ${flags.host}:${flags.port}: ${error.message}`, EXIT.usage),
          ),
        );
        server.listen(flags.port, flags.host, ready);
      });
      const { port } = server.address() as { port: number };
      const origin = `http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${port}`;
      const err = paintFor(process.stderr);
      const checking = secretGenerated
        ? `Standard Webhooks, with the secret ${err.bold(secrets[0] as string)}\n               ${err.dim('(made for this --db file; give it to your endpoint, or pass --secret)')}`
        : `${flags.provider ?? 'the scheme each request’s headers name (Standard Webhooks by default)'}`;
      const routes = forward.map((r) => (r.pattern === null ? r.url : `${r.pattern} → ${r.url}`)).join(', ');
      const answering =
        forward.length > 0
          ? `relaying to ${routes}${flags.status ? `, answering ${flags.status}` : ', answering what it answers'}`
          : `${flags.status ?? 200}${flags.delay > 0 ? ` after ${flags.delay} ms` : ''}`;
      process.stderr.write(
        [
          '',
          `  ${err.bold('hookd listen')} on ${err.cyan(`${origin}/`)}  ${err.dim('(any path)')}`,
          `  web page:    ${err.cyan(`${origin}/_hookd`)}`,
          `  signatures:  ${checking}`,
          `  answering:   ${answering}`,
          `  kept in:     ${resolve(flags.db)}`,
          ...(flags.saveFixtures ? [`  fixtures:    ${resolve(flags.saveFixtures)}`] : []),
          `  ${err.dim('Ctrl-C to stop')}`,
          '',
        ].join('\n'),
      );
      const stop = () => {
        server.closeAllConnections();
        server.close(() => {
          store.close();
          process.exit(EXIT.ok);
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
