/** The types of ops event hookd publishes into its `hookd-ops` app: what endpoints there may subscribe to. */
export const OPS_EVENT_TYPES = [
  'endpoint.disabled',
  'message.attempt.exhausted',
  'endpoint.failing',
  'ingest.silent',
  'audit.entry',
] as const;
export type OpsEventType = (typeof OPS_EVENT_TYPES)[number];
