import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { codeOf } from '../../test/schemes/code-of.js';
import { signSlack, slackScheme, verifySlack } from './slack.js';

// The worked example on Slack's "Verifying requests from Slack" page (a slash command, form-encoded).
const docsSecret = '8f742231b10e8888abcd99yyyzzz85a5';
const docsTimestamp = 1531420618;
const docsBody =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
  '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
  '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const docsSignature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

test("Slack's documented example: the same signature, and it verifies at that time", () => {
  // The recipe, computed here on its own: hex HMAC-SHA256 of "v0:timestamp:body" keyed with the signing secret.
  const recomputed = `v0=${createHmac('sha256', docsSecret).update(`v0:${docsTimestamp}:${docsBody}`).digest('hex')}`;
  assert.equal(recomputed, docsSignature);
  assert.deepEqual(signSlack({ body: docsBody, secrets: docsSecret, timestamp: docsTimestamp }), {
    'x-slack-signature': docsSignature,
    'x-slack-request-timestamp': String(docsTimestamp),
  });
  const headers = { 'X-Slack-Signature': docsSignature, 'X-Slack-Request-Timestamp': String(docsTimestamp) };
  assert.deepEqual(verifySlack({ body: docsBody, headers, secrets: docsSecret, now: docsTimestamp + 10 }), {
    timestamp: docsTimestamp,
  });
  assert.equal(
    codeOf(() => verifySlack({ body: docsBody, headers, secrets: docsSecret })),
    'timestamp_too_old',
  );
});

test('the delivery id is the Events API event_id and the type the inner event type, else the outer one', () => {
  const callback = { type: 'event_callback', event_id: 'Ev08MFMKH6', event: { type: 'app_mention', text: 'hi' } };
  assert.equal(slackScheme.deliveryId({}, callback), 'Ev08MFMKH6');
  assert.equal(slackScheme.eventType({}, callback), 'app_mention');
  assert.equal(slackScheme.eventType({}, { type: 'url_verification', challenge: 'x' }), 'url_verification');
  assert.equal(slackScheme.deliveryId({}, docsBody), null);
  assert.equal(slackScheme.eventType({}, docsBody), null);
});
