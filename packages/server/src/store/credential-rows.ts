/** An endpoint's credentials as both stores keep them: one JSON text per endpoint, no row when it has none. */
import type { EndpointCredentials } from '../domain/index.js';

export function hasCredentials(credentials: EndpointCredentials): boolean {
  const { auth, clientCertificate, secretHeaders } = credentials;
  return auth !== null || clientCertificate !== null || Object.keys(secretHeaders).length > 0;
}

export const credentialsText = (credentials: EndpointCredentials): string => JSON.stringify(credentials);

export const toCredentials = (text: string): EndpointCredentials => JSON.parse(text) as EndpointCredentials;
