/** What one delivery attempt's result means for the delivery and its endpoint. */

export type AttemptResult = { kind: 'response'; status: number; retryAfter?: string } | { kind: 'error'; code: string };

export type Verdict =
  | { kind: 'succeeded' }
  /** Try again later; `honourRetryAfter` when the receiver asked for a pause (429/503). */
  | { kind: 'retry'; honourRetryAfter: boolean }
  /** 410 Gone: the receiver says this endpoint no longer exists. */
  | { kind: 'disable-endpoint' };

export function judgeAttempt(result: AttemptResult): Verdict {
  if (result.kind === 'error') return { kind: 'retry', honourRetryAfter: false };
  const { status } = result;
  if (status >= 200 && status < 300) return { kind: 'succeeded' };
  if (status === 410) return { kind: 'disable-endpoint' };
  // Redirects are not followed: a 3xx is a failed attempt like any other non-2xx.
  return { kind: 'retry', honourRetryAfter: status === 429 || status === 503 };
}
