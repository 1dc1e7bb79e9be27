/** The records hookd keeps, as the API and the workers see them. Times are epoch milliseconds. */

export type SignatureScheme = 'standard' | 'hmac-sha256-hex';
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['standard', 'hmac-sha256-hex'];

export interface App {
  id: string;
  uid: string | null;
  name: string;
  createdAt: number;
  updatedAt: number;
}

export interface Endpoint {
  id: string;
  appId: string;
  url: string;
  description: string;
  /** Event-type filters; null means every type. */
  events: string[] | null;
  signatureScheme: SignatureScheme;
  secret: string;
  disabledAt: number | null;
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Message {
  id: string;
  appId: string;
  type: string;
  /** The exact bytes delivered: `{"type","timestamp","data"}`. */
  payload: string;
  idempotencyKey: string | null;
  createdAt: number;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'succeeded', 'failed'];

export interface Delivery {
  id: string;
  appId: string;
  messageId: string;
  endpointId: string;
  status: DeliveryStatus;
  /** Attempts made so far, all runs included. */
  attemptCount: number;
  /** Failed attempts since the last (re)start of the schedule; picks the next delay. */
  attemptsInRun: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Attempt {
  id: string;
  deliveryId: string;
  /** 1 for the first attempt of the delivery, and so on across retries and replays. */
  number: number;
  startedAt: number;
  durationMs: number;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  /** The first 4 KiB of the response body. */
  responseBody: string | null;
  /** For network failures: `timeout`, `connection_refused`, `address_refused: loopback`, … */
  error: string | null;
}

/** A delivery handed to a worker, with what it needs to send it. */
export interface ClaimedDelivery {
  delivery: Delivery;
  leaseToken: string;
  message: Pick<Message, 'id' | 'type' | 'payload'>;
  endpoint: Pick<Endpoint, 'id' | 'url' | 'secret' | 'signatureScheme'>;
}
