/**
 * `hookd replay`: starts a recovery job on the server over an app's failed (or succeeded) deliveries since a time
 * (optionally one endpoint, some event types, an error code), shows its progress bar while the server re-queues them
 * batch by batch, then follows them to their next attempt and ends with a summary. Ctrl-C cancels the job.
 */
import type { Endpoint, Recovery, RecoveryInput } from '@hookd/sdk/client';
import { Command, Option } from 'commander';
import { EXIT, type Paint, paintFor, parsers, parseSince, printJson } from './output.js';
import { api, connect, type ServerConnection, type ServerFlags, withServerFlags } from './server-client.js';

interface ReplayFlags extends ServerFlags {
  app: string;
  endpoint?: string;
  since: string;
  until?: string;
  eventType?: string[];
  errorCode?: string;
  status: 'failed' | 'succeeded';
  dryRun?: boolean;
  wait: boolean;
  waitTimeout: number;
  json?: boolean;
}

async function endpointsOf(connection: ServerConnection, app: string): Promise<Endpoint[]> {
  const endpoints: Endpoint[] = [];
  let after: string | undefined;
  do {
    const page = await api(connection, (c) => c.endpoints.list(app, { limit: 250, after }));
    endpoints.push(...page.data);
    after = page.nextCursor ?? undefined;
  } while (after);
  return endpoints;
}

function bar(p: Paint, done: number, total: number, width = 28): string {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `${p.green('█'.repeat(filled))}${p.dim('░'.repeat(width - filled))}`;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Shows a line on stderr: redrawn in place on a terminal, one line per change otherwise (nothing with --json). */
function progressLine(json: boolean) {
  const tty = process.stderr.isTTY === true && !json;
  const err = paintFor(process.stderr);
  let shown = '';
  return {
    show(done: number, total: number, line: string) {
      if (tty) process.stderr.write(`\r  ${bar(err, done, total)} ${line}\x1b[K`);
      else if (!json && line !== shown) process.stderr.write(`  ${line}\n`);
      shown = line;
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

export function replayCommand(): Command {
  return withServerFlags(
    new Command('replay')
      .description(
        'Send again the failed deliveries of an app (or one endpoint) since a time, as a recovery job, and follow them',
      )
      .requiredOption('--app <app>', 'the app id or uid')
      .option('--endpoint <id>', 'only this endpoint; default every endpoint of the app')
      .requiredOption('--since <when>', 'deliveries created since: 2h, 30m, 1d, or an ISO time')
      .option('--until <when>', 'and created before: a duration ago or an ISO time')
      .option('--event-type <type...>', 'only messages of these exact types')
      .option('--error-code <code>', 'only deliveries whose last attempt failed with this code (e.g. headers_timeout)')
      .addOption(new Option('--status <status>', 'which deliveries').choices(['failed', 'succeeded']).default('failed'))
      .option('--dry-run', 'only count what would be replayed')
      .option('--no-wait', 'do not follow the replayed deliveries to their next attempt')
      .addOption(
        new Option('--wait-timeout <duration>', 'longest to follow them').argParser(parsers.duration).default(300_000, '5m'),
      )
      .option('--json', 'print the counts and the summary as JSON'),
  )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  hookd replay --app acme --since 2h --dry-run',
        '  hookd replay --app acme --endpoint ep_01J… --since 2026-01-31T12:00:00Z',
        '  hookd replay --app acme --since 1d --event-type order.paid --error-code headers_timeout',
        '',
        'The server runs the replay as a recovery job (POST /v1/apps/{app}/recoveries) in small batches; Ctrl-C cancels it.',
        'Deliveries of disabled endpoints are left out: enable the endpoint first.',
        '',
        'Exit codes: 0 every replayed delivery got through (or --dry-run, --no-wait), 1 bad flags, 2 hookd refused or',
        'some failed again, 3 hookd could not be reached, 4 no such app or endpoint.',
      ].join('\n'),
    )
    .action(async (flags: ReplayFlags) => {
      const since = parseSince(flags.since);
      const until = flags.until === undefined ? undefined : parseSince(flags.until, Date.now(), '--until');
      const connection = connect(flags);
      const out = paintFor(process.stdout);
      const err = paintFor(process.stderr);
      const json = flags.json === true;
      const what = `${flags.status} deliveries created since ${since.toISOString()}`;
      const filter: RecoveryInput = { status: flags.status, since: since.toISOString() };
      if (until) filter.until = until.toISOString();
      if (flags.endpoint) filter.endpointId = flags.endpoint;
      if (flags.eventType) filter.eventTypes = flags.eventType;
      if (flags.errorCode) filter.errorCode = flags.errorCode;

      const count = await api(connection, (c) => c.recoveries.count(flags.app, filter));
      const endpoints = await endpointsOf(connection, flags.app);
      const urls = new Map(endpoints.map((e) => [e.id, e.url]));
      const skipped = endpoints.filter((e) => e.disabled && (!flags.endpoint || e.id === flags.endpoint));
      const perEndpoint = count.byEndpoint.map((e) => ({ id: e.endpointId, url: urls.get(e.endpointId) ?? '', count: e.count }));
      const total = count.total;
      for (const endpoint of skipped) {
        process.stderr.write(`${err.yellow('skipped')} ${endpoint.id} (${endpoint.url}): disabled; enable it first\n`);
      }

      if (flags.dryRun) {
        if (json)
          printJson({
            dryRun: true,
            since: since.toISOString(),
            status: flags.status,
            endpoints: perEndpoint,
            total,
            skipped: skipped.map((e) => e.id),
          });
        else {
          for (const e of perEndpoint) process.stdout.write(`  ${String(e.count).padStart(6)}  ${e.id}  ${out.dim(e.url)}\n`);
          process.stdout.write(`would replay ${out.bold(String(total))} ${what} (--dry-run: nothing sent)\n`);
        }
        return;
      }
      if (total === 0) {
        if (json)
          printJson({ since: since.toISOString(), status: flags.status, replayed: 0, delivered: 0, failedAgain: 0, waiting: 0 });
        else process.stdout.write(`nothing to replay: no ${what}\n`);
        return;
      }

      let job: Recovery = await api(connection, (c) => c.recoveries.start(flags.app, filter));
      const cancel = () => {
        process.stderr.write(`\ncancelling recovery ${job.id}…\n`);
        api(connection, (c) => c.recoveries.cancel(flags.app, job.id))
          .catch(() => {})
          .finally(() => process.exit(130));
      };
      process.once('SIGINT', cancel);
      const line = progressLine(json);
      while (job.status === 'running') {
        line.show(job.requeued, job.total, `queued ${job.requeued}/${job.total}`);
        await pause(300);
        job = await api(connection, (c) => c.recoveries.get(flags.app, job.id));
      }
      process.off('SIGINT', cancel);
      line.show(
        job.requeued,
        job.requeued,
        `queued ${job.requeued}/${job.requeued}${job.status === 'cancelled' ? ' (cancelled)' : ''}`,
      );

      const queued = job.requeued;
      let outcome = job.outcome ?? { delivered: 0, failedAgain: 0, waiting: queued };
      if (flags.wait && queued > 0) {
        const deadline = Date.now() + flags.waitTimeout;
        for (;;) {
          const done = queued - outcome.waiting;
          line.show(
            done,
            queued,
            `${done}/${queued} attempted: ${outcome.delivered} delivered, ${outcome.failedAgain} failed again`,
          );
          if (outcome.waiting === 0 || Date.now() >= deadline) break;
          await pause(300);
          job = await api(connection, (c) => c.recoveries.get(flags.app, job.id));
          outcome = job.outcome ?? outcome;
        }
      }
      line.end();

      const replayedTo = perEndpoint.filter((e) => e.count > 0);
      const summary = {
        recovery: job.id,
        since: since.toISOString(),
        status: flags.status,
        endpoints: replayedTo.map((e) => ({ id: e.id, url: e.url, matched: e.count })),
        replayed: queued,
        delivered: outcome.delivered,
        failedAgain: outcome.failedAgain,
        waiting: flags.wait ? outcome.waiting : null,
      };
      const n = replayedTo.length;
      const head = `replayed ${queued} ${flags.status} deliveries to ${n} endpoint${n === 1 ? '' : 's'}`;
      if (json) printJson(summary);
      else if (!flags.wait) process.stdout.write(`${head} (not following them: --no-wait)\n`);
      else {
        const parts = [
          out.green(`${outcome.delivered} delivered`),
          (outcome.failedAgain > 0 ? out.red : out.dim)(`${outcome.failedAgain} failed again`),
        ];
        if (outcome.waiting > 0) parts.push(out.yellow(`${outcome.waiting} not attempted within ${flags.waitTimeout / 1000}s`));
        process.stdout.write(`${head}: ${parts.join(', ')}\n`);
      }
      if (flags.wait && (outcome.failedAgain > 0 || outcome.waiting > 0)) process.exitCode = EXIT.refused;
    });
}
