/** Slack Events API callbacks as Slack sends them, signed with `X-Slack-Signature: v0=…`. */
import { randomId, type Sample } from './types.js';

export const SLACK_SAMPLES: readonly Sample[] = [
  {
    event: 'app_mention',
    provider: 'slack',
    description: 'someone mentioned the app in a channel',
    newId: () => randomId('Ev', 10, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    payload: ({ id, now }) => ({
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event: {
        type: 'app_mention',
        user: 'U061F7AUR',
        text: '<@U0LAN0Z89> is it everything a webhook should be?',
        ts: `${now}.000200`,
        channel: 'C0LAN2Q65',
        event_ts: `${now}.000200`,
      },
      type: 'event_callback',
      event_id: id,
      event_time: now,
      authorizations: [{ team_id: 'T0001', user_id: 'U0LAN0Z89', is_bot: true }],
    }),
  },
];
