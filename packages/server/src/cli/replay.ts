/**
 * `hookd replay`: sends again an app's failed (or succeeded) deliveries since a time, endpoint by endpoint, then
 * follows them to their next attempt with a progress bar and ends with a summary.
 */
import type { Delivery, Endpoint } from '@hookd/sdk/client';
import { Command, Option } from 'commander';
import { EXIT, type Paint, paintFor, parsers, parseSince, printJson } from './output.js';
import { api, connect, type ServerConnection, type ServerFlags, withServerFlags } from './server-client.js';

interface ReplayFlags extends ServerFlags {
  app: string;
  endpoint?: string;
  since: string;
  status: 'failed' | 'succeeded';
  dryRun?: boolean;
  wait: boolean;
  waitTimeout: number;
  json?: boolean;
}

interface Plan {
  endpoint: Endpoint;
  /** Delivery id → its attempt count before the replay, to tell when each has been attempted again. */
  deliveries: Map<string, number>;
  replayed: number;
}

/** Pages newest first and stops at the first delivery created before `since`. */
async function deliveriesSince(
  connection: ServerConnection,
  app: string,
  endpoint: string,
  since: Date,
  status?: 'failed' | 'succeeded',
): Promise<Delivery[]> {
  const found: Delivery[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await api(connection, (c) => c.deliveries.list(app, { endpoint, status, limit: 250, after }));
    for (const delivery of page.data) {
      if (Date.parse(delivery.createdAt) < since.getTime()) return found;
      found.push(delivery);
    }
    if (page.nextCursor === null) return found;
    after = page.nextCursor;
  }
}

async function endpointsOf(connection: ServerConnection, app: string, only?: string): Promise<Endpoint[]> {
  if (only) return [await api(connection, (c) => c.endpoints.get(app, only))];
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
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `${p.green('█'.repeat(filled))}${p.dim('░'.repeat(width - filled))}`;
}

interface Progress {
  delivered: number;
  failedAgain: number;
  waiting: number;
}

async function progressOf(connection: ServerConnection, app: string, since: Date, plans: Plan[]): Promise<Progress> {
  const progress = { delivered: 0, failedAgain: 0, waiting: 0 };
  for (const plan of plans) {
    if (plan.deliveries.size === 0) continue;
    const now = new Map((await deliveriesSince(connection, app, plan.endpoint.id, since)).map((d) => [d.id, d]));
    for (const [id, before] of plan.deliveries) {
      const delivery = now.get(id);
      if (!delivery || delivery.attemptCount <= before) progress.waiting++;
      else if (delivery.status === 'succeeded') progress.delivered++;
      else progress.failedAgain++;
    }
  }
  return progress;
}

export function replayCommand(): Command {
  return withServerFlags(
    new Command('replay')
      .description('Send again the failed deliveries of an app (or one endpoint) since a time, and follow them')
      .requiredOption('--app <app>', 'the app id or uid')
      .option('--endpoint <id>', 'only this endpoint; default every endpoint of the app')
      .requiredOption('--since <when>', 'deliveries created since: 2h, 30m, 1d, or an ISO time')
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
        '',
        'Exit codes: 0 every replayed delivery got through (or --dry-run, --no-wait), 1 bad flags, 2 hookd refused or',
        'some failed again, 3 hookd could not be reached, 4 no such app or endpoint.',
      ].join('\n'),
    )
    .action(async (flags: ReplayFlags) => {
      const since = parseSince(flags.since);
      const connection = connect(flags);
      const out = paintFor(process.stdout);
      const err = paintFor(process.stderr);
      const json = flags.json === true;
      const what = `${flags.status} deliveries created since ${since.toISOString()}`;

      const plans: Plan[] = [];
      const skipped: Endpoint[] = [];
      for (const endpoint of await endpointsOf(connection, flags.app, flags.endpoint)) {
        const found = await deliveriesSince(connection, flags.app, endpoint.id, since, flags.status);
        if (endpoint.disabled) {
          if (found.length > 0) skipped.push(endpoint);
          continue;
        }
        plans.push({ endpoint, deliveries: new Map(found.map((d) => [d.id, d.attemptCount])), replayed: 0 });
      }
      const total = plans.reduce((n, plan) => n + plan.deliveries.size, 0);
      const perEndpoint = plans.map((p) => ({ id: p.endpoint.id, url: p.endpoint.url, count: p.deliveries.size }));
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
          for (const e of perEndpoint)
            if (e.count > 0) process.stdout.write(`  ${String(e.count).padStart(6)}  ${e.id}  ${out.dim(e.url)}\n`);
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

      const tty = process.stderr.isTTY === true && !json;
      let queued = 0;
      for (const plan of plans) {
        if (plan.deliveries.size === 0) continue;
        const result = await api(connection, (c) =>
          c.endpoints.replay(flags.app, plan.endpoint.id, { since: since.toISOString(), status: flags.status }),
        );
        plan.replayed = result.replayed;
        queued += result.replayed;
        const line = `queued ${queued}/${total}`;
        if (tty) process.stderr.write(`\r  ${bar(err, queued, total)} ${line}\x1b[K`);
        else if (!json) process.stderr.write(`  ${line} (${plan.endpoint.id}: ${result.replayed})\n`);
      }

      let progress: Progress = { delivered: 0, failedAgain: 0, waiting: total };
      if (flags.wait) {
        const deadline = Date.now() + flags.waitTimeout;
        let shown = '';
        while (progress.waiting > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          progress = await progressOf(connection, flags.app, since, plans);
          const done = total - progress.waiting;
          const line = `${done}/${total} attempted: ${progress.delivered} delivered, ${progress.failedAgain} failed again`;
          if (tty) process.stderr.write(`\r  ${bar(err, done, total)} ${line}\x1b[K`);
          else if (!json && line !== shown) process.stderr.write(`  ${line}\n`);
          shown = line;
        }
      }
      if (tty) process.stderr.write('\n');

      const summary = {
        since: since.toISOString(),
        status: flags.status,
        endpoints: plans
          .filter((p) => p.replayed > 0)
          .map((p) => ({ id: p.endpoint.id, url: p.endpoint.url, replayed: p.replayed })),
        replayed: queued,
        delivered: progress.delivered,
        failedAgain: progress.failedAgain,
        waiting: flags.wait ? progress.waiting : null,
      };
      const endpoints = summary.endpoints.length;
      const head = `replayed ${queued} ${flags.status} deliveries to ${endpoints} endpoint${endpoints === 1 ? '' : 's'}`;
      if (json) printJson(summary);
      else if (!flags.wait) process.stdout.write(`${head} (not following them: --no-wait)\n`);
      else {
        const parts = [
          out.green(`${progress.delivered} delivered`),
          (progress.failedAgain > 0 ? out.red : out.dim)(`${progress.failedAgain} failed again`),
        ];
        if (progress.waiting > 0) parts.push(out.yellow(`${progress.waiting} not attempted within ${flags.waitTimeout / 1000}s`));
        process.stdout.write(`${head}: ${parts.join(', ')}\n`);
      }
      if (flags.wait && (progress.failedAgain > 0 || progress.waiting > 0)) process.exitCode = EXIT.refused;
    });
}
