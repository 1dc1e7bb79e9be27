/** Sources: the inbound gateway (the SDK's receiver pipeline) that verifies third-party webhooks, keeps them and hands them to delivery. */
export { type GatewayDeps, InboundGateway, type IngestOutcome, type IngestRequest } from './gateway.js';
