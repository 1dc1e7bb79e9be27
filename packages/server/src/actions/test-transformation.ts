/** Shows what an endpoint would be sent for a sample event or a past message, its transformation applied, without sending. */
import { prepareRequest } from '../delivery/index.js';
import { type Endpoint, newId, type TransformOutcome } from '../domain/index.js';
import type { AdminStore } from '../store/index.js';
import { tryTransformation } from '../transform/index.js';
import { checkTransformation } from './endpoint-rules.js';
import { getEndpoint } from './endpoints.js';
import { ApiError } from './errors.js';
import { pastMessage } from './past-message.js';

export interface TransformationTrial {
  /** The delivered body to try: an object is serialized as JSON, a string is sent as it is. */
  payload?: unknown;
  /** A past message of the app, whose body (and event time) is tried instead. */
  messageId?: string;
  /** Source to try instead of the endpoint's saved one (checked as saving it would be). */
  transformation?: string | null;
}

/**
 * Runs the transformation (the one given, else the endpoint's) in the same sandbox a worker uses and returns the
 * request hookd would send, signed, or the cancel, or the failure an attempt would record. Secret headers are left out.
 */
export async function testTransformation(
  deps: { store: Pick<AdminStore, 'findEndpoint' | 'findMessage'>; clock: () => number },
  appId: string,
  endpointId: string,
  trial: TransformationTrial,
): Promise<TransformOutcome> {
  const endpoint: Endpoint = await getEndpoint(deps, appId, endpointId);
  const source = trial.transformation === undefined ? endpoint.transformation : await checkTransformation(trial.transformation);
  const now = deps.clock();
  let message = {
    id: newId('msg', now),
    type: 'test',
    payload: '',
    createdAt: now,
    headers: null as Record<string, string> | null,
  };
  if (trial.messageId !== undefined) {
    const found = await pastMessage(deps.store, appId, trial.messageId);
    message = { ...found, headers: found.headers ?? null };
  } else if (trial.payload === undefined) {
    throw new ApiError('validation_failed', 'give a sample `payload` or a past `messageId` to try the transformation on');
  } else {
    message.payload = typeof trial.payload === 'string' ? trial.payload : JSON.stringify(trial.payload);
  }
  return prepareRequest(
    {
      message,
      endpoint: { ...endpoint, transformation: source, limited: false },
      delivery: { id: newId('dlv', now) },
    },
    1,
    now,
    {},
    (claimed, request) => tryTransformation(source ?? '', request, claimed.message.createdAt),
  );
}
