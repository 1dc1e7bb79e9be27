/**
 * Sends one signed test webhook to an example and prints the answer.
 * Run: node --import tsx --conditions=@hookd/source examples/send.ts [url] [--tamper]
 * The URL defaults to http://127.0.0.1:3000/webhooks; the secret comes from WEBHOOK_SECRET, as for the servers.
 */
import { randomUUID } from 'node:crypto';
import { SCHEMES } from '@hookd/sdk/verify';
import { DEV_SECRET } from './dev-settings.js';

const args = process.argv.slice(2);
const url = args.find((arg) => !arg.startsWith('--')) ?? 'http://127.0.0.1:3000/webhooks';
const secret = process.env.WEBHOOK_SECRET || DEV_SECRET;

const body = JSON.stringify({
  type: 'payment.completed',
  timestamp: new Date().toISOString(),
  data: { amount: 4200, currency: 'EUR' },
});
const headers = SCHEMES.standard.sign({ body, secrets: secret, id: `msg_${randomUUID()}` });
// --tamper changes the body after signing, as a man in the middle would: the receiver must refuse it.
const sent = args.includes('--tamper') ? body.replace('4200', '9999') : body;

const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: sent });
console.log(response.status, await response.text());
