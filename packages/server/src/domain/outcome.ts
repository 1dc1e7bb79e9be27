/** What one delivery attempt's result means for the delivery and its endpoint. */
import type { AttemptErrorCode } from './attempt-errors.js';
import { nextRetryDelay, parseRetryAfter, type Random, type RetryPolicy } from './retry.js';

export type AttemptResult = { kind: 'response'; status: number; retryAfter?: string } | { kind: 'error'; code: AttemptErrorCode };

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

/** Where a delivery goes after an attempt. */
export type NextStep =
  | { status: 'succeeded' }
  | { status: 'pending'; nextAttemptAt: number }
  /** `disableEndpoint` holds the reason when the endpoint is to be disabled as well. */
  | { status: 'failed'; disableEndpoint?: string };

export interface AttemptContext {
  /** Failed attempts in this run of the schedule before this one. */
  attemptsInRun: number;
  policy: RetryPolicy;
  random: Random;
  now: number;
}

export function nextStep(result: AttemptResult, context: AttemptContext): NextStep {
  const verdict = judgeAttempt(result);
  if (verdict.kind === 'succeeded') return { status: 'succeeded' };
  if (verdict.kind === 'disable-endpoint') return { status: 'failed', disableEndpoint: 'the endpoint answered 410 Gone' };
  const retryAfter =
    verdict.honourRetryAfter && result.kind === 'response' ? parseRetryAfter(result.retryAfter, context.now) : undefined;
  const delay = nextRetryDelay(context.policy, context.attemptsInRun + 1, context.random, retryAfter);
  return delay === null ? { status: 'failed' } : { status: 'pending', nextAttemptAt: context.now + delay };
}
