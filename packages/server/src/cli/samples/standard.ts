/** Standard Webhooks samples, shaped as hookd delivers them: `{type, timestamp, data}` with `webhook-*` headers. */
import { iso, randomId, type Sample } from './types.js';

const newId = () => randomId('msg_', 27);

export const STANDARD_SAMPLES: readonly Sample[] = [
  {
    event: 'user.created',
    provider: 'standard',
    description: 'a user signed up (Standard Webhooks)',
    newId,
    payload: ({ now }) => ({
      type: 'user.created',
      timestamp: iso(now),
      data: { id: randomId('user_', 20), email: 'ada@example.com', name: 'Ada Lovelace', plan: 'free', createdAt: iso(now) },
    }),
  },
  {
    event: 'invoice.paid',
    provider: 'standard',
    description: 'an invoice was paid (Standard Webhooks)',
    newId,
    payload: ({ now }) => ({
      type: 'invoice.paid',
      timestamp: iso(now),
      data: { id: randomId('inv_', 20), customer: randomId('cus_', 14), amount: 4200, currency: 'EUR', paidAt: iso(now) },
    }),
  },
];
