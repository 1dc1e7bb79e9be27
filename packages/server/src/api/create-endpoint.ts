/** Registers an endpoint within the app's endpoint limit: the API, the dashboard and sources all create them here. */
import type { Endpoint } from '../domain/index.js';
import { StoreLimitError } from '../store/index.js';
import type { ApiContext } from './context.js';
import { ApiError } from './errors.js';

export async function createEndpoint(ctx: Pick<ApiContext, 'store' | 'config'>, endpoint: Endpoint): Promise<Endpoint> {
  const limit = ctx.config.maxEndpointsPerApp;
  try {
    return await ctx.store.createEndpoint(endpoint, limit);
  } catch (error) {
    if (!(error instanceof StoreLimitError)) throw error;
    throw new ApiError(
      'endpoint_limit_reached',
      `the app has ${limit} endpoints, the most one app may have (HOOKD_MAX_ENDPOINTS_PER_APP); delete one first`,
    );
  }
}
