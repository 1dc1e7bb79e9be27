/** A hookd cluster of child processes on one PostgreSQL database: API processes and worker processes. */
import type { ChildProcess } from 'node:child_process';
import { callApi } from './hookd.js';
import { killHard, spawnServing, waitReady } from './processes.js';

export const CLUSTER_TOKEN = 'cluster-test-token-0123456789abcdefgh';

export interface Member {
  role: 'api' | 'worker';
  /** The API's base URL, or the worker's health URL. */
  base: string;
  child: ChildProcess;
}

export interface Cluster {
  apis: Member[];
  workers: Member[];
  /** Publishes through the API processes in turn; returns the message id when acknowledged (202), else null. */
  publish(n: number, app: string, type: string, data: unknown): Promise<string | null>;
  /** Kills the member with SIGKILL and starts another of its role in its place (an API gets a new port). */
  restart(member: Member): Promise<Member>;
  close(): Promise<void>;
}

/** Starts the members; `settings` are added to every member's environment. */
export async function startCluster(
  databaseUrl: string,
  counts: { apis: number; workers: number },
  settings: Record<string, string> = {},
): Promise<Cluster> {
  const start = async (role: Member['role']): Promise<Member> => {
    const { child, base } = await spawnServing({
      ...settings,
      HOOKD_ROLE: role,
      HOOKD_DATABASE_URL: databaseUrl,
      HOOKD_ADMIN_TOKEN: CLUSTER_TOKEN,
    });
    return { role, base, child };
  };
  const roles: Member['role'][] = [...Array(counts.apis).fill('api'), ...Array(counts.workers).fill('worker')];
  const started = await Promise.allSettled(roles.map(start));
  const members = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    await Promise.all(members.map((m) => waitReady(m.base)));
  } catch (error) {
    await Promise.all(members.map((m) => killHard(m.child)));
    throw error;
  }
  const apis = members.filter((m) => m.role === 'api');
  const workers = members.filter((m) => m.role === 'worker');
  return {
    apis,
    workers,
    async publish(n, app, type, data) {
      const api = apis[n % apis.length] as Member;
      try {
        const answer = await callApi(api.base, CLUSTER_TOKEN, 'POST', `/v1/apps/${app}/events`, { type, data });
        return answer.status === 202 ? (answer.body.id as string) : null;
      } catch {
        return null; // No answer: not acknowledged.
      }
    },
    async restart(member) {
      await killHard(member.child);
      const fresh = await start(member.role);
      members.push(fresh);
      await waitReady(fresh.base);
      const same = member.role === 'api' ? apis : workers;
      same[same.indexOf(member)] = fresh;
      return fresh;
    },
    async close() {
      await Promise.all(members.map((m) => killHard(m.child)));
    },
  };
}
