/** GitHub webhooks as GitHub sends them, signed with `X-Hub-Signature-256`, typed by `X-GitHub-Event`. */
import { randomUUID } from 'node:crypto';
import { iso, randomHex, type Sample } from './types.js';

const owner = { login: 'octocat', id: 583231, node_id: 'MDQ6VXNlcjU4MzIzMQ==', type: 'User', site_admin: false };

function repository(now: number): Record<string, unknown> {
  return {
    id: 1296269,
    node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
    name: 'hello-world',
    full_name: 'octocat/hello-world',
    private: false,
    owner,
    html_url: 'https://github.com/octocat/hello-world',
    description: 'My first repository on GitHub!',
    fork: false,
    url: 'https://api.github.com/repos/octocat/hello-world',
    clone_url: 'https://github.com/octocat/hello-world.git',
    created_at: 1296068472,
    updated_at: iso(now),
    pushed_at: now,
    default_branch: 'main',
  };
}

function commit(now: number): Record<string, unknown> {
  const id = randomHex(20);
  const author = { name: 'The Octocat', email: 'octocat@github.com', username: 'octocat' };
  return {
    id,
    tree_id: randomHex(20),
    distinct: true,
    message: 'Fix the webhook handler',
    timestamp: iso(now),
    url: `https://github.com/octocat/hello-world/commit/${id}`,
    author,
    committer: author,
    added: [],
    removed: [],
    modified: ['README.md'],
  };
}

export const GITHUB_SAMPLES: readonly Sample[] = [
  {
    event: 'push',
    provider: 'github',
    description: 'one commit pushed to main',
    newId: randomUUID,
    payload: ({ now }) => {
      const head = commit(now);
      const before = randomHex(20);
      return {
        ref: 'refs/heads/main',
        before,
        after: head.id,
        repository: repository(now),
        pusher: { name: 'octocat', email: 'octocat@github.com' },
        sender: owner,
        created: false,
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `https://github.com/octocat/hello-world/compare/${before.slice(0, 12)}...${String(head.id).slice(0, 12)}`,
        commits: [head],
        head_commit: head,
      };
    },
  },
  {
    event: 'pull_request',
    provider: 'github',
    description: 'pull request #42 opened',
    newId: randomUUID,
    payload: ({ now }) => ({
      action: 'opened',
      number: 42,
      pull_request: {
        url: 'https://api.github.com/repos/octocat/hello-world/pulls/42',
        id: 1882457001,
        node_id: 'PR_kwDOABkN2c5wM2Kp',
        html_url: 'https://github.com/octocat/hello-world/pull/42',
        number: 42,
        state: 'open',
        locked: false,
        title: 'Verify webhook signatures',
        user: owner,
        body: 'Checks X-Hub-Signature-256 before handling a delivery.',
        created_at: iso(now),
        updated_at: iso(now),
        closed_at: null,
        merged_at: null,
        draft: false,
        head: { label: 'octocat:verify-signatures', ref: 'verify-signatures', sha: randomHex(20), user: owner },
        base: { label: 'octocat:main', ref: 'main', sha: randomHex(20), user: owner },
        merged: false,
        commits: 1,
        additions: 12,
        deletions: 2,
        changed_files: 1,
      },
      repository: repository(now),
      sender: owner,
    }),
  },
  {
    event: 'ping',
    provider: 'github',
    description: 'the ping GitHub sends when a webhook is created',
    newId: randomUUID,
    payload: ({ now }) => ({
      zen: 'Keep it logically awesome.',
      hook_id: 109948940,
      hook: {
        type: 'Repository',
        id: 109948940,
        name: 'web',
        active: true,
        events: ['push', 'pull_request'],
        config: { content_type: 'json', insecure_ssl: '0', url: 'https://example.com/webhooks/github' },
        created_at: iso(now),
        updated_at: iso(now),
      },
      repository: repository(now),
      sender: owner,
    }),
  },
];
