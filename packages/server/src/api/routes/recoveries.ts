/**
 * Recovery jobs: start one over a filter (a dry run answers the count only), follow it (a read, or a stream of
 * `progress` events that ends with the job), list them, cancel one.
 */
import type { FastifyInstance } from 'fastify';
import { cancelRecovery, countRecovery, getRecovery, type RecoveryRequest, startRecovery } from '../../actions/index.js';
import { ATTEMPT_ERROR_CODES, type RecoveryJob } from '../../domain/index.js';
import { requesterOf } from '../auth.js';
import { type ApiContext, appParams, appRecordParams, loadApp } from '../context.js';
import { presentRecovery } from '../present.js';
import { commonErrors, pageOf, pageQuery, ref } from '../schemas.js';
import { type SseEvent, streamEvents } from '../sse.js';

const tags = ['recoveries'];
const recoveryParams = appRecordParams('rcv');

interface RecoveryBody {
  status?: 'failed' | 'succeeded';
  endpointId?: string;
  eventTypes?: string[];
  since?: string;
  until?: string;
  errorCode?: string;
  dryRun?: boolean;
}

const recoveryBody = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['failed', 'succeeded'], default: 'failed', description: 'Which deliveries.' },
    endpointId: { type: 'string', maxLength: 64, description: 'Only this endpoint’s deliveries.' },
    eventTypes: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', maxLength: 256 },
      description: 'Only deliveries of messages of these exact types.',
    },
    since: { type: 'string', format: 'date-time', description: 'Deliveries created at or after this time.' },
    until: { type: 'string', format: 'date-time', description: 'Deliveries created before this time.' },
    errorCode: { type: 'string', enum: ATTEMPT_ERROR_CODES, description: 'Only deliveries whose last attempt failed so.' },
    dryRun: { type: 'boolean', default: false, description: 'Only count what the filter matches; start nothing.' },
  },
  additionalProperties: false,
} as const;

const countSchema = {
  type: 'object',
  properties: {
    dryRun: { type: 'boolean', enum: [true] },
    total: { type: 'integer' },
    byEndpoint: {
      type: 'array',
      items: {
        type: 'object',
        properties: { endpointId: { type: 'string' }, count: { type: 'integer' } },
        required: ['endpointId', 'count'],
      },
    },
  },
  required: ['dryRun', 'total', 'byEndpoint'],
} as const;

const requestOf = (body: RecoveryBody): RecoveryRequest => ({
  status: body.status,
  endpointId: body.endpointId,
  eventTypes: body.eventTypes,
  since: body.since === undefined ? undefined : Date.parse(body.since),
  until: body.until === undefined ? undefined : Date.parse(body.until),
  errorCode: body.errorCode,
});

/** A job's state as a stream event id: a new one each time the job moves. */
const versionOf = (job: RecoveryJob) => `${job.status}.${job.scanned}.${job.requeued}`;

export function recoveryRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.post<{ Params: { app: string }; Body: RecoveryBody }>(
    '/v1/apps/:app/recoveries',
    {
      schema: {
        tags,
        summary: 'Start a recovery job: re-queue, in the background, the app’s deliveries a filter matches',
        description:
          'Deliveries of disabled endpoints, of messages whose payload retention purged, and those in flight are left out. ' +
          'With `dryRun: true` the answer is what the filter matches now, per endpoint, and nothing starts. Otherwise the ' +
          'job is answered at once (202) and runs in batches in a worker process; each delivery is re-queued at most once ' +
          'per job, even across a crash and a restart.',
        params: appParams,
        body: recoveryBody,
        response: { 200: countSchema, 202: ref('Recovery'), 409: ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const app = await loadApp(ctx, request.params.app);
      if (request.body.dryRun) {
        const { total, byEndpoint } = await countRecovery(ctx, app.id, requestOf(request.body));
        return { dryRun: true, total, byEndpoint };
      }
      const job = await startRecovery(ctx, requesterOf(request), app.id, requestOf(request.body));
      return reply.code(202).send(presentRecovery(job));
    },
  );

  api.get<{ Params: { app: string }; Querystring: { limit: number; after?: string } }>(
    '/v1/apps/:app/recoveries',
    {
      schema: {
        tags,
        summary: 'List the app’s recovery jobs, newest first',
        params: appParams,
        querystring: { type: 'object', properties: pageQuery, additionalProperties: false },
        response: { 200: pageOf('Recovery'), ...commonErrors },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const page = await ctx.store.listRecoveries(app.id, request.query);
      return { data: page.data.map((job) => presentRecovery(job)), nextCursor: page.nextCursor };
    },
  );

  api.get<{ Params: { app: string; rcv: string } }>(
    '/v1/apps/:app/recoveries/:rcv',
    {
      schema: {
        tags,
        summary: 'Get a recovery job: its progress, and where the deliveries it re-queued stand',
        params: recoveryParams,
        response: { 200: ref('Recovery'), ...commonErrors },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      const { job, outcome } = await getRecovery(ctx, app.id, request.params.rcv);
      return presentRecovery(job, outcome);
    },
  );

  api.post<{ Params: { app: string; rcv: string } }>(
    '/v1/apps/:app/recoveries/:rcv/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a running recovery job; what it re-queued so far stays queued',
        params: recoveryParams,
        response: { 200: ref('Recovery'), 409: ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      const app = await loadApp(ctx, request.params.app);
      return presentRecovery(await cancelRecovery(ctx, requesterOf(request), app.id, request.params.rcv));
    },
  );

  api.get<{ Params: { app: string; rcv: string } }>(
    '/v1/apps/:app/recoveries/:rcv/stream',
    {
      schema: {
        tags,
        summary: 'Follow a recovery job as Server-Sent Events',
        description:
          'A `progress` event (the job, as GET answers it without `outcome`) now and each time the job moves; the stream ' +
          'ends after the event that shows it completed or cancelled.',
        produces: ['text/event-stream'],
        params: recoveryParams,
        response: { 200: { description: 'A stream of `progress` events.', type: 'string' }, ...commonErrors },
      },
    },
    async (request, reply) => {
      const app = await loadApp(ctx, request.params.app);
      let { job } = await getRecovery(ctx, app.id, request.params.rcv);
      let sent: string | null = null;
      await streamEvents(request, reply, {
        start: async () => null,
        async poll(): Promise<SseEvent[]> {
          job = (await ctx.store.findRecovery(app.id, job.id)) ?? job;
          const id = versionOf(job);
          if (id === sent) return [];
          sent = id;
          return [{ id, event: 'progress', data: presentRecovery(job) }];
        },
        finished: () => job.status !== 'running' && sent === versionOf(job),
        intervalMs: 300,
        timers: ctx.timers,
        onPollError: (error) => ctx.logger.warn({ err: error }, 'recovery stream: a poll failed'),
      });
    },
  );
}
