/** The attempt feed both stores serve to `hookd tail`: attempts in id (start time) order, with their delivery's facts. */
import type { Attempt, DeliveryStatus } from '../domain/index.js';

export interface AttemptFeedQuery {
  /** Only this app's attempts; unset: every app's. */
  appId?: string;
  endpointId?: string;
  /** Attempts with a larger id; null: from the oldest kept. */
  afterId: string | null;
  limit: number;
}

/** An endpoint's attempts log: newest first, by outcome, error code and start time. */
export interface EndpointAttemptsQuery {
  /** `succeeded`: answered with a 2xx; `failed`: anything else. */
  status?: 'succeeded' | 'failed';
  errorCode?: string;
  /** Attempts started at or after this time. */
  since?: number;
  /** Attempts started before this time. */
  until?: number;
  limit: number;
  /** The last attempt id of the previous page. */
  after?: string;
}

/** One attempt and what a reader of the feed wants beside it. */
export interface AttemptActivity {
  attempt: Attempt;
  appId: string;
  endpointId: string;
  messageId: string;
  eventType: string;
  url: string;
  /** The delivery's status now (not when the attempt was made). */
  deliveryStatus: DeliveryStatus;
  /** The delivery's attempt count now: an attempt with this number is its latest. */
  deliveryAttempts: number;
}

/** An attempt with the columns of AttemptFeedRowExtra beside its own: the same SQL on both stores, for a WHERE to follow. */
export const ATTEMPT_WITH_DELIVERY = `
  SELECT a.*, d.app_id AS d_app_id, d.endpoint_id AS d_endpoint_id, d.message_id AS d_message_id, d.status AS d_status,
    d.attempt_count AS d_attempt_count, m.type AS m_type, e.url AS e_url
  FROM attempts a
  JOIN deliveries d ON d.id = a.delivery_id
  JOIN messages m ON m.id = d.message_id
  JOIN endpoints e ON e.id = d.endpoint_id`;

/** The columns both stores select for the feed, beside the attempt's own. */
export interface AttemptFeedRowExtra {
  d_app_id: string;
  d_endpoint_id: string;
  d_message_id: string;
  d_status: DeliveryStatus;
  d_attempt_count: number;
  m_type: string;
  e_url: string;
}

export function toActivity(attempt: Attempt, row: AttemptFeedRowExtra): AttemptActivity {
  return {
    attempt,
    appId: row.d_app_id,
    endpointId: row.d_endpoint_id,
    messageId: row.d_message_id,
    eventType: row.m_type,
    url: row.e_url,
    deliveryStatus: row.d_status,
    deliveryAttempts: row.d_attempt_count,
  };
}
