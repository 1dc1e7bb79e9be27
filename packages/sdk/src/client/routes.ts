/**
 * Every route the client calls, in the server's OpenAPI spelling (`{app}` for a path parameter).
 * Kept as data so a test can check each one against the server's `/openapi.json`.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Route {
  method: HttpMethod;
  path: string;
}

export const ROUTES = {
  health: { method: 'GET', path: '/healthz' },
  ready: { method: 'GET', path: '/readyz' },

  createApp: { method: 'POST', path: '/v1/apps' },
  listApps: { method: 'GET', path: '/v1/apps' },
  getApp: { method: 'GET', path: '/v1/apps/{app}' },
  updateApp: { method: 'PATCH', path: '/v1/apps/{app}' },
  deleteApp: { method: 'DELETE', path: '/v1/apps/{app}' },
  createPortalLink: { method: 'POST', path: '/v1/apps/{app}/portal-link' },

  createAppToken: { method: 'POST', path: '/v1/apps/{app}/tokens' },
  listAppTokens: { method: 'GET', path: '/v1/apps/{app}/tokens' },
  deleteAppToken: { method: 'DELETE', path: '/v1/apps/{app}/tokens/{token}' },

  createEndpoint: { method: 'POST', path: '/v1/apps/{app}/endpoints' },
  listEndpoints: { method: 'GET', path: '/v1/apps/{app}/endpoints' },
  getEndpoint: { method: 'GET', path: '/v1/apps/{app}/endpoints/{ep}' },
  updateEndpoint: { method: 'PATCH', path: '/v1/apps/{app}/endpoints/{ep}' },
  deleteEndpoint: { method: 'DELETE', path: '/v1/apps/{app}/endpoints/{ep}' },
  rotateEndpointSecret: { method: 'POST', path: '/v1/apps/{app}/endpoints/{ep}/rotate-secret' },
  replayEndpoint: { method: 'POST', path: '/v1/apps/{app}/endpoints/{ep}/replay' },
  endpointStats: { method: 'GET', path: '/v1/apps/{app}/endpoints/{ep}/stats' },
  listEndpointAttempts: { method: 'GET', path: '/v1/apps/{app}/endpoints/{ep}/attempts' },
  testEndpointFilter: { method: 'POST', path: '/v1/apps/{app}/endpoints/{ep}/test-filter' },
  enableEndpoint: { method: 'POST', path: '/v1/apps/{app}/endpoints/{ep}/enable' },
  pauseEndpoint: { method: 'POST', path: '/v1/apps/{app}/endpoints/{ep}/pause' },
  resumeEndpoint: { method: 'POST', path: '/v1/apps/{app}/endpoints/{ep}/resume' },

  startRecovery: { method: 'POST', path: '/v1/apps/{app}/recoveries' },
  listRecoveries: { method: 'GET', path: '/v1/apps/{app}/recoveries' },
  getRecovery: { method: 'GET', path: '/v1/apps/{app}/recoveries/{rcv}' },
  cancelRecovery: { method: 'POST', path: '/v1/apps/{app}/recoveries/{rcv}/cancel' },

  publishEvent: { method: 'POST', path: '/v1/apps/{app}/events' },
  listEvents: { method: 'GET', path: '/v1/apps/{app}/events' },
  getEvent: { method: 'GET', path: '/v1/apps/{app}/events/{msg}' },
  listEventDeliveries: { method: 'GET', path: '/v1/apps/{app}/events/{msg}/deliveries' },

  createEventType: { method: 'POST', path: '/v1/event-types' },
  listEventTypes: { method: 'GET', path: '/v1/event-types' },
  getEventType: { method: 'GET', path: '/v1/event-types/{name}' },
  updateEventType: { method: 'PATCH', path: '/v1/event-types/{name}' },

  listDeliveries: { method: 'GET', path: '/v1/apps/{app}/deliveries' },
  getDelivery: { method: 'GET', path: '/v1/apps/{app}/deliveries/{dlv}' },
  retryDelivery: { method: 'POST', path: '/v1/apps/{app}/deliveries/{dlv}/retry' },

  createSource: { method: 'POST', path: '/v1/sources' },
  listSources: { method: 'GET', path: '/v1/sources' },
  getSource: { method: 'GET', path: '/v1/sources/{source}' },
  updateSource: { method: 'PATCH', path: '/v1/sources/{source}' },
  deleteSource: { method: 'DELETE', path: '/v1/sources/{source}' },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof ROUTES;

/** The names between braces in a path template: `'/v1/apps/{app}/events/{msg}'` gives `'app' | 'msg'`. */
type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;

export type PathParams<N extends RouteName> = { [K in ParamNames<(typeof ROUTES)[N]['path']>]: string };

/**
 * Fills a path template; each value is percent-encoded so an id or uid cannot change the path's shape.
 * Empty, `.` and `..` are refused: URL parsing would drop or resolve them and the call would reach another route.
 */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' || value === '' || value === '.' || value === '..') {
      throw new TypeError(`path parameter ${name} of ${template} must be a non-empty id, got ${JSON.stringify(value)}`);
    }
    return encodeURIComponent(value);
  });
}
