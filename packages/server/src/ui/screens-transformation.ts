/**
 * An endpoint's transformation in the dashboard and the portal: the form field, and "Try the transformation", which
 * runs code (saved or not) on a sample or a past message through the same action as POST …/endpoints/{ep}/test-transformation.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, getEndpoint, type TransformationTrial, testTransformation } from '../actions/index.js';
import type { Endpoint, TransformOutcome } from '../domain/index.js';
import { prettyJson } from './format.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';
import { csrfField, endpointPath, page } from './layout.js';
import { parseSample, SAMPLE_EXAMPLE } from './screens-filter.js';
import type { Session } from './session.js';

const CODE_EXAMPLE = 'function handler(webhook) { webhook.payload = { text: webhook.payload.type }; return webhook; }';

/** The textarea a create or edit form carries (with what was typed, after a refusal); empty means no transformation. */
export function transformationField(ep: Endpoint | null, typed?: string): Html {
  const id = ep ? 'edit' : 'new';
  return html`<label for="${id}-transformation">Transformation (JavaScript)</label>
<textarea id="${id}-transformation" name="transformation" spellcheck="false" placeholder="${CODE_EXAMPLE}" aria-describedby="${id}-transformation-help">${typed ?? ep?.transformation ?? ''}</textarea>
<p class="full muted" id="${id}-transformation-help">A <code>handler(webhook)</code> that returns the webhook to send (<code>method</code>, <code>url</code>, <code>headers</code>, <code>payload</code>), or <code>null</code> to skip the delivery. It runs in a sandbox before each attempt. Empty for none.</p>`;
}

/** A form's code as the actions take it: browsers send CRLF line ends; blank is none (the action's rule too). */
export function transformationText(text: string | undefined): string | null {
  const code = (text ?? '').replace(/\r\n/g, '\n');
  return code.trim() === '' ? null : code;
}

type TryForm = { transformation?: string; sample?: string; messageId?: string };

/** The "Try the transformation" form, filled with what was tried last (or the saved code and an example). */
export function transformationTryForm(ep: Endpoint, session: Session, tried: TryForm = {}): Html {
  return html`<h2 id="try-transformation">Try the transformation</h2>
<form method="post" action="${endpointPath(ep)}/test-transformation" class="grid-form" aria-labelledby="try-transformation">${csrfField(session)}
<label for="try-transformation-code">Transformation (JavaScript)</label><textarea id="try-transformation-code" name="transformation" spellcheck="false">${tried.transformation ?? ep.transformation ?? ''}</textarea>
<label for="try-transformation-sample">Sample (JSON)</label><textarea id="try-transformation-sample" name="sample" placeholder="${SAMPLE_EXAMPLE}">${tried.sample ?? (tried.messageId ? '' : SAMPLE_EXAMPLE)}</textarea>
<label for="try-transformation-message">Or a past message</label><input id="try-transformation-message" name="messageId" value="${tried.messageId ?? ''}" placeholder="msg_…">
<p class="full muted">The sample is the body hookd would send: a published event is <code>{type, timestamp, data}</code>. The code runs in the same sandbox as a delivery; nothing is sent. Empty code shows the request without a transformation.</p>
<div class="full"><button type="submit">Try</button></div></form>`;
}

function outcome(result: TransformOutcome): Html {
  if (result.kind === 'cancel') {
    return html`<p id="transformation-outcome" class="muted">Cancelled: the handler returned <code>null</code> (or <code>{cancel: true}</code>), so the delivery would be skipped and nothing sent.</p>`;
  }
  if (result.kind === 'error') {
    return html`<p id="transformation-outcome" class="bad">Failed: ${result.message}. An attempt would fail with <code>transformation_failed</code> and send nothing.</p>`;
  }
  const { method, url, headers, body } = result.request;
  return html`<section id="transformation-outcome" aria-labelledby="would-send"><h2 id="would-send">Would send</h2>
<dl class="facts"><dt>Method</dt><dd id="transformed-method">${method}</dd><dt>URL</dt><dd id="transformed-url">${url}</dd></dl>
<h3>Headers</h3><pre id="transformed-headers">${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}</pre>
<h3>Body</h3><pre id="transformed-body">${prettyJson(body)}</pre></section>`;
}

export function transformationScreens(ui: FastifyInstance, kit: UiKit): void {
  const { ctx } = kit;
  ui.post<{ Params: { app: string; ep: string }; Body: TryForm }>(
    '/ui/apps/:app/endpoints/:ep/test-transformation',
    async (request, reply) => {
      const session = kit.session(request);
      const app = await kit.app(request, request.params.app);
      const ep = await getEndpoint(ctx, app.id, request.params.ep);
      const form = request.body;
      const trial: TransformationTrial = { transformation: transformationText(form.transformation) };
      const messageId = (form.messageId ?? '').trim();
      if (messageId) trial.messageId = messageId;
      else trial.payload = parseSample(form.sample);
      let result: Html;
      try {
        result = outcome(await testTransformation(ctx, app.id, ep.id, trial));
      } catch (error) {
        // Code that does not compile is what trying is for: say so beside the form that holds it.
        if (!(error instanceof ApiError && error.code === 'transformation_invalid')) throw error;
        result = html`<p id="transformation-outcome" class="notice error" role="alert">${error.message} (<code>transformation_invalid</code>: saving it would be refused too.)</p>`;
      }
      const body = html`<p><a href="${endpointPath(ep)}">← Back to the endpoint</a></p>${result}${transformationTryForm(ep, session, form)}`;
      return kit.send(reply, page({ title: `Transformation trial: ${ep.url}`, session, app, current: 'endpoints', body }), 200);
    },
  );
}
