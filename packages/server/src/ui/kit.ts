/** What every screen is handed: the API's context, the session of a request, and scope-checked loading. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../api/index.js';
import type { App, Requester } from '../domain/index.js';
import type { DashboardStore, OpsStore } from '../store/index.js';
import type { Html } from './html.js';
import type { Session, SessionCookies } from './session.js';

/** The API's context, with its store also in the dashboard role, and the queue figures the overview shows. */
export type UiContext = ApiContext & { store: DashboardStore & Pick<OpsStore, 'queueStats'> };

export interface UiKit {
  ctx: UiContext;
  cookies: SessionCookies;
  session(request: FastifyRequest): Session;
  /** Who the session speaks for in the audit log: `dashboard` (an admin sign-in) or `portal:<app id>`. */
  requester(request: FastifyRequest): Requester;
  /** The app named in the URL, if this session may see it; otherwise `app_not_found`, as if it did not exist. */
  app(request: FastifyRequest, idOrUid: string): Promise<App>;
  /** Refuses app-scoped (portal) sessions with a 404: admin screens do not exist for them. */
  requireAdmin(request: FastifyRequest): void;
  send(reply: FastifyReply, body: Html, status?: number): FastifyReply;
}
