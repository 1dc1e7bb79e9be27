/**
 * How hookd proves itself to an endpoint, beside the signature: HTTP Basic or an OAuth 2.0 client-credentials token
 * (the Authorization header), a client certificate (mTLS), and secret headers. All of it is write-only: the API and
 * the dashboard show what is set (a user name, a token URL, a certificate's subject, header names), never a secret.
 */
import { X509Certificate } from 'node:crypto';

export type EndpointAuth =
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'oauth2';
      /** The token endpoint: POSTed `grant_type=client_credentials`, the client authenticated with HTTP Basic. */
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope: string | null;
      audience: string | null;
    };

export interface ClientCertificate {
  /** PEM: the certificate (and any intermediates) hookd presents. */
  certificate: string;
  /** PEM: its private key. */
  privateKey: string;
  /** PEM: the CA trusted for this endpoint's server certificate instead of the system's; null for the system's. */
  ca: string | null;
}

export interface EndpointCredentials {
  auth: EndpointAuth | null;
  clientCertificate: ClientCertificate | null;
  /** Sent with every delivery like the endpoint's headers, but never shown again. */
  secretHeaders: Record<string, string>;
}

export const NO_CREDENTIALS: EndpointCredentials = { auth: null, clientCertificate: null, secretHeaders: {} };

export type AuthSummary =
  | { type: 'basic'; username: string }
  | { type: 'oauth2'; tokenUrl: string; clientId: string; scope: string | null; audience: string | null };

/** What may be shown of credentials: everything but the secrets. */
export interface CredentialSummary {
  auth: AuthSummary | null;
  clientCertificate: { subject: string; validTo: string; fingerprint256: string; customCa: boolean } | null;
  secretHeaders: string[];
}

export function credentialSummary(credentials: EndpointCredentials): CredentialSummary {
  const { auth, clientCertificate, secretHeaders } = credentials;
  let shownAuth: AuthSummary | null = null;
  if (auth?.type === 'basic') shownAuth = { type: 'basic', username: auth.username };
  if (auth?.type === 'oauth2') {
    const { tokenUrl, clientId, scope, audience } = auth;
    shownAuth = { type: 'oauth2', tokenUrl, clientId, scope, audience };
  }
  let shownCertificate: CredentialSummary['clientCertificate'] = null;
  if (clientCertificate) {
    const x509 = new X509Certificate(clientCertificate.certificate);
    shownCertificate = {
      subject: x509.subject,
      validTo: new Date(x509.validTo).toISOString(),
      fingerprint256: x509.fingerprint256,
      customCa: clientCertificate.ca !== null,
    };
  }
  return { auth: shownAuth, clientCertificate: shownCertificate, secretHeaders: Object.keys(secretHeaders) };
}

/** The same credentials with each secret in them (password, client secret, private key, secret header values) mapped. */
export function mapCredentialSecrets(credentials: EndpointCredentials, map: (secret: string) => string): EndpointCredentials {
  const { auth, clientCertificate, secretHeaders } = credentials;
  let mappedAuth = auth;
  if (auth?.type === 'basic') mappedAuth = { ...auth, password: map(auth.password) };
  if (auth?.type === 'oauth2') mappedAuth = { ...auth, clientSecret: map(auth.clientSecret) };
  return {
    auth: mappedAuth,
    clientCertificate: clientCertificate && { ...clientCertificate, privateKey: map(clientCertificate.privateKey) },
    secretHeaders: Object.fromEntries(Object.entries(secretHeaders).map(([name, value]) => [name, map(value)])),
  };
}
