/**
 * The endpoint screen's authentication forms, for the admin and an app's portal alike: how hookd proves itself to the
 * endpoint (Basic or OAuth 2.0), its client certificate and its secret headers. Write-only as in the API: the forms
 * show what is set, never a secret, and each form replaces its part whole (an empty one removes it).
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, type AuthInput, type CredentialInput, updateEndpoint } from '../actions/index.js';
import type { CredentialSummary, Endpoint } from '../domain/index.js';
import { type Html, html } from './html.js';
import type { UiKit } from './kit.js';
import { csrfField, endpointPath } from './layout.js';
import type { Session } from './session.js';

type Params = { app: string; ep: string };
type CredentialForm = Record<string, string | undefined> & { part?: string };

const text = (value: string | undefined) => (value ?? '').trim();

/** One form's fields as the action takes them; an unknown part is a validation failure. */
export function credentialChange(form: CredentialForm): CredentialInput {
  if (form.part === 'auth') return { auth: authOf(form) };
  if (form.part === 'certificate') {
    if (text(form.certificate) === '' && text(form.privateKey) === '') return { clientCertificate: null };
    const ca = text(form.ca);
    return {
      clientCertificate: { certificate: text(form.certificate), privateKey: text(form.privateKey), ...(ca ? { ca } : {}) },
    };
  }
  if (form.part === 'headers') return { secretHeaders: headerLines(form.headers ?? '') };
  throw new ApiError('validation_failed', 'Unknown form.');
}

function authOf(form: CredentialForm): AuthInput | null {
  if (form.type === 'basic') return { type: 'basic', username: text(form.username), password: form.password ?? '' };
  if (form.type === 'oauth2') {
    const scope = text(form.scope);
    const audience = text(form.audience);
    return {
      type: 'oauth2',
      tokenUrl: text(form.tokenUrl),
      clientId: text(form.clientId),
      clientSecret: form.clientSecret ?? '',
      ...(scope ? { scope } : {}),
      ...(audience ? { audience } : {}),
    };
  }
  return null;
}

/** `Name: value` per line. */
function headerLines(lines: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new ApiError('validation_failed', `Secret headers are one "Name: value" per line, not ${JSON.stringify(line)}.`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export function credentialForms(ep: Endpoint, session: Session, shown: CredentialSummary): Html {
  const form = (part: string, label: string, fields: Html) =>
    html`<form method="post" action="${endpointPath(ep)}/credentials" class="grid-form" aria-label="${label}">${csrfField(session)}<input type="hidden" name="part" value="${part}">${fields}<div class="full"><button type="submit">Save ${label.toLowerCase()}</button></div></form>`;
  const { auth } = shown;
  const selected = (type: string) => ((auth?.type ?? 'none') === type ? ' selected' : '');
  return html`<h2 id="auth">Authentication</h2>
<p class="muted">How hookd proves itself to this endpoint, beside the signature. Secrets are never shown again: saving a form replaces what it sets, and an empty one removes it.</p>
${form(
  'auth',
  'Authorization',
  html`<label for="auth-type">Authorization</label><select id="auth-type" name="type"><option value="none"${selected('none')}>none</option><option value="basic"${selected('basic')}>HTTP Basic</option><option value="oauth2"${selected('oauth2')}>OAuth 2.0 client credentials</option></select>
<label for="auth-username">Basic: user name</label><input id="auth-username" name="username" value="${auth?.type === 'basic' ? auth.username : ''}" autocomplete="off">
<label for="auth-password">Basic: password</label><input id="auth-password" name="password" type="password" autocomplete="new-password">
<label for="auth-token-url">OAuth: token URL</label><input id="auth-token-url" name="tokenUrl" type="url" value="${auth?.type === 'oauth2' ? auth.tokenUrl : ''}">
<label for="auth-client-id">OAuth: client id</label><input id="auth-client-id" name="clientId" value="${auth?.type === 'oauth2' ? auth.clientId : ''}" autocomplete="off">
<label for="auth-client-secret">OAuth: client secret</label><input id="auth-client-secret" name="clientSecret" type="password" autocomplete="new-password">
<label for="auth-scope">OAuth: scope</label><input id="auth-scope" name="scope" value="${auth?.type === 'oauth2' ? (auth.scope ?? '') : ''}">
<label for="auth-audience">OAuth: audience</label><input id="auth-audience" name="audience" value="${auth?.type === 'oauth2' ? (auth.audience ?? '') : ''}">`,
)}
${form(
  'certificate',
  'Client certificate',
  html`<label for="cert-pem">Client certificate (PEM)</label><textarea id="cert-pem" name="certificate" rows="3" placeholder="${shown.clientCertificate ? `set: ${shown.clientCertificate.subject}` : '-----BEGIN CERTIFICATE-----'}"></textarea>
<label for="cert-key">Its private key (PEM)</label><textarea id="cert-key" name="privateKey" rows="3"></textarea>
<label for="cert-ca">CA to trust for this endpoint (PEM, optional)</label><textarea id="cert-ca" name="ca" rows="2"></textarea>`,
)}
${form(
  'headers',
  'Secret headers',
  html`<label for="secret-headers">Secret headers, one <code>Name: value</code> per line</label><textarea id="secret-headers" name="headers" rows="2" placeholder="${shown.secretHeaders.length > 0 ? `set: ${shown.secretHeaders.join(', ')}` : 'X-Api-Key: …'}"></textarea>`,
)}`;
}

export function credentialRoutes(ui: FastifyInstance, kit: UiKit): void {
  ui.post<{ Params: Params; Body: CredentialForm }>('/ui/apps/:app/endpoints/:ep/credentials', async (request, reply) => {
    const app = await kit.app(request, request.params.app);
    const endpoint = await updateEndpoint(
      kit.ctx,
      kit.requester(request),
      app.id,
      request.params.ep,
      credentialChange(request.body),
      'not disabled',
    );
    return reply.redirect(`${endpointPath(endpoint)}?notice=saved#auth`, 303);
  });
}
