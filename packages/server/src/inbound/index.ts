/** Sources: the inbound gateway that verifies third-party webhooks, keeps them and hands them to delivery. */
export { isAllowed, parseAllowlist } from './allowlist.js';
export { type GatewayDeps, InboundGateway, type IngestOutcome, type IngestRequest, type RefusalCode } from './gateway.js';
