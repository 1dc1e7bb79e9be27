/**
 * The API's error list is the actions' (see actions/errors.ts); this adds the JSON shape the API answers with. Ingest
 * URLs answer the same shape with the SDK receiver's codes (RECEIVER_ERRORS), their one list.
 */
import type { ReceiverErrorCode } from '@hookd/sdk/receiver';
import type { ErrorCode, ErrorDetail } from '../actions/index.js';

export { ApiError, ERRORS, type ErrorCode, type ErrorDetail } from '../actions/index.js';

export interface ErrorBody {
  error: { code: ErrorCode | ReceiverErrorCode; message: string; details?: ErrorDetail[] };
}

/** `details` appears in the body only when given, so answers without it keep their two-field shape. */
export function errorBody(code: ErrorCode | ReceiverErrorCode, message: string, details?: ErrorDetail[]): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
