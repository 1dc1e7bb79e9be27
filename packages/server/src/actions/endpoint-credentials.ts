/**
 * The rules for an endpoint's credentials, checked before anything is stored: a Basic user name without a colon, an
 * OAuth token URL that passes the same SSRF rules as endpoint URLs, a certificate its key belongs to, secret headers
 * named as custom headers are. Changes merge with what is stored: a field given replaces it, null removes it.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  auditEntry,
  type ClientCertificate,
  type Endpoint,
  type EndpointAuth,
  type EndpointCredentials,
  endpointHeadersProblem,
  MASKED,
  NO_CREDENTIALS,
  type Requester,
} from '../domain/index.js';
import type { AdminStore, EndpointChange } from '../store/index.js';
import { checkEndpointUrl, type UrlCheckDeps } from './endpoint-rules.js';
import { ApiError } from './errors.js';

/** What a caller may give: OAuth's scope and audience, and a certificate's CA, may be left out. */
export type AuthInput =
  | { type: 'basic'; username: string; password: string }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string; audience?: string };

export interface CredentialInput {
  auth?: AuthInput | null;
  clientCertificate?: { certificate: string; privateKey: string; ca?: string } | null;
  secretHeaders?: Record<string, string>;
}

const invalid = (message: string) => new ApiError('validation_failed', message);

/** The credentials `input` makes of `current`: checked, with every field not given kept. */
export async function checkCredentials(
  deps: UrlCheckDeps,
  input: CredentialInput,
  current: EndpointCredentials = NO_CREDENTIALS,
): Promise<EndpointCredentials> {
  const auth = input.auth === undefined ? current.auth : input.auth === null ? null : await checkAuth(deps, input.auth);
  const clientCertificate =
    input.clientCertificate === undefined
      ? current.clientCertificate
      : input.clientCertificate === null
        ? null
        : checkCertificate(input.clientCertificate);
  const secretHeaders = input.secretHeaders === undefined ? current.secretHeaders : checkSecretHeaders(input.secretHeaders);
  if (auth !== null && Object.keys(secretHeaders).some((name) => name.toLowerCase() === 'authorization')) {
    throw invalid('body/secretHeaders: Authorization is set by auth; give one or the other');
  }
  return { auth, clientCertificate, secretHeaders };
}

export function givesCredentials(input: CredentialInput): boolean {
  return input.auth !== undefined || input.clientCertificate !== undefined || input.secretHeaders !== undefined;
}

/**
 * Checks the change of credentials `input` asks for, and gives what to write at `now` (with an audit entry that says
 * which kinds changed, never their values), for the caller to write with every other part of its change; null when
 * `input` changes no credentials. The endpoint must exist.
 */
export async function credentialChange(
  deps: UrlCheckDeps & { store: Pick<AdminStore, 'endpointCredentials'> },
  who: Requester,
  endpoint: Pick<Endpoint, 'id' | 'appId'>,
  input: CredentialInput,
): Promise<((now: number) => NonNullable<EndpointChange['credentials']>) | null> {
  if (!givesCredentials(input)) return null;
  const current = (await deps.store.endpointCredentials([endpoint.id])).get(endpoint.id);
  const credentials = await checkCredentials(deps, input, current);
  const changes = Object.fromEntries(
    (['auth', 'clientCertificate', 'secretHeaders'] as const)
      .filter((kind) => input[kind] !== undefined)
      .map((kind) => [kind, { before: MASKED, after: MASKED }]),
  );
  const facts = { action: 'endpoint.credentials_changed', appId: endpoint.appId, target: endpoint.id, changes };
  return (now) => ({ value: credentials, audit: auditEntry(who, facts, now) });
}

async function checkAuth(deps: UrlCheckDeps, auth: AuthInput): Promise<EndpointAuth> {
  if (auth.type === 'basic') {
    // RFC 7617: the user-id ends at the first colon, so one inside it would change who is signing in.
    if (auth.username.includes(':')) throw invalid('body/auth/username: a Basic user name cannot hold a colon');
    return { type: 'basic', username: auth.username, password: auth.password };
  }
  let tokenUrl: string;
  try {
    tokenUrl = await checkEndpointUrl(deps, auth.tokenUrl);
  } catch (error) {
    if (error instanceof ApiError) throw new ApiError(error.code, `body/auth/tokenUrl: ${error.message}`);
    throw error;
  }
  return {
    type: 'oauth2',
    tokenUrl,
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    scope: auth.scope ?? null,
    audience: auth.audience ?? null,
  };
}

function checkCertificate(input: NonNullable<CredentialInput['clientCertificate']>): ClientCertificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(input.certificate);
  } catch {
    throw invalid('body/clientCertificate/certificate: not a PEM certificate');
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(input.privateKey))) {
      throw invalid('body/clientCertificate/privateKey: the key does not belong to the certificate');
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw invalid('body/clientCertificate/privateKey: not a PEM private key (unencrypted)');
  }
  if (input.ca !== undefined) {
    try {
      new X509Certificate(input.ca);
    } catch {
      throw invalid('body/clientCertificate/ca: not a PEM certificate');
    }
  }
  return { certificate: input.certificate, privateKey: input.privateKey, ca: input.ca ?? null };
}

function checkSecretHeaders(headers: Record<string, string>): Record<string, string> {
  const problem = endpointHeadersProblem(headers);
  if (problem !== null) throw invalid(`body/secretHeaders: ${problem}`);
  return headers;
}
