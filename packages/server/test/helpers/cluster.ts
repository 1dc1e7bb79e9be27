/** A hookd cluster of child processes on one PostgreSQL database: API processes and worker processes. */
import type { ChildProcess } from 'node:child_process';
import { callApi } from './hookd.js';
import { freePort, killHard, spawnHookd, waitReady } from './processes.js';

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
  kill(member: Member): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(databaseUrl: string, counts: { apis: number; workers: number }): Promise<Cluster> {
  const start = async (role: Member['role']): Promise<Member> => {
    const port = String(await freePort());
    const child = spawnHookd({
      HOOKD_ROLE: role,
      HOOKD_DATABASE_URL: databaseUrl,
      HOOKD_ADMIN_TOKEN: CLUSTER_TOKEN,
      ...(role === 'api' ? { HOOKD_PORT: port } : { HOOKD_HEALTH_PORT: port }),
    });
    return { role, base: `http://127.0.0.1:${port}`, child };
  };
  const apis = await Promise.all(Array.from({ length: counts.apis }, () => start('api')));
  const workers = await Promise.all(Array.from({ length: counts.workers }, () => start('worker')));
  const members = [...apis, ...workers];
  try {
    await Promise.all(members.map((m) => waitReady(m.base)));
  } catch (error) {
    await Promise.all(members.map((m) => killHard(m.child)));
    throw error;
  }
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
    kill: (member) => killHard(member.child),
    async close() {
      await Promise.all(members.map((m) => killHard(m.child)));
    },
  };
}
