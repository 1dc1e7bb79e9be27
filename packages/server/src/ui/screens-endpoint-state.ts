/**
 * The controls that change an endpoint's state (its badges are in why-failing.ts): pause and resume hold and release
 * its deliveries; enable offers to replay what failed while it was disabled, with the count.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { enableEndpoint, pauseEndpoint, resumeEndpoint } from '../actions/index.js';
import type { Endpoint } from '../domain/index.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';
import { csrfField, endpointPath } from './layout.js';
import type { Session } from './session.js';

type EpParams = { app: string; ep: string };

/**
 * Disable or enable, pause or resume. A disabled endpoint's enable form says how many deliveries failed while it was
 * disabled and offers to send them again (checked: holding them back is the exception).
 */
export function stateControls(ep: Endpoint, session: Session, failedWhileDisabled: number): Html {
  const form = (path: string, button: Html, extra: Html | string = '', confirm = '') =>
    html`<form method="post" action="${endpointPath(ep)}/${path}" class="inline"${confirm ? html` data-confirm="${confirm}"` : ''}>${csrfField(session)}${extra}${button}</form>`;
  const hold =
    ep.pausedAt !== null
      ? form('resume', html`<button type="submit" class="primary">Resume</button>`)
      : form('pause', html`<button type="submit">Pause</button>`);
  if (ep.disabledAt === null) {
    const disable = form(
      'disable',
      html`<button type="submit" class="danger">Disable</button>`,
      '',
      'Disable this endpoint? Its pending deliveries fail (Pause holds them instead).',
    );
    return html`${hold}${disable}`;
  }
  const replay =
    failedWhileDisabled > 0
      ? html`<label class="check"><input type="checkbox" name="replay" value="on" checked> Replay the ${failedWhileDisabled} ${failedWhileDisabled === 1 ? 'delivery' : 'deliveries'} that failed while it was disabled</label> `
      : html`<span class="muted">No delivery failed while it was disabled.</span> `;
  return html`${form('enable', html`<button type="submit" class="primary">Enable</button>`, replay)}${hold}`;
}

export function endpointStateScreens(ui: FastifyInstance, kit: UiKit): void {
  const { ctx } = kit;

  async function target(request: FastifyRequest<{ Params: EpParams }>): Promise<Pick<Endpoint, 'appId' | 'id'>> {
    return { appId: (await kit.app(request, request.params.app)).id, id: request.params.ep };
  }

  for (const verb of ['pause', 'resume'] as const) {
    ui.post<{ Params: EpParams }>(`/ui/apps/:app/endpoints/:ep/${verb}`, async (request, reply) => {
      const { appId, id } = await target(request);
      const change = verb === 'pause' ? pauseEndpoint : resumeEndpoint;
      const endpoint = await change(ctx, kit.requester(request), appId, id);
      return reply.redirect(`${endpointPath(endpoint)}?notice=${verb === 'pause' ? 'paused' : 'resumed'}`, 303);
    });
  }

  ui.post<{ Params: EpParams; Body: { replay?: string } | undefined }>(
    '/ui/apps/:app/endpoints/:ep/enable',
    async (request, reply) => {
      const { appId, id } = await target(request);
      const replayFailedWhileDisabled = request.body?.replay === 'on';
      const { endpoint, replayed } = await enableEndpoint(ctx, kit.requester(request), appId, id, {
        replayFailedWhileDisabled,
      });
      const notice = replayFailedWhileDisabled ? `enabled-replayed&count=${replayed}` : 'enabled';
      return reply.redirect(`${endpointPath(endpoint)}?notice=${notice}`, 303);
    },
  );
}
