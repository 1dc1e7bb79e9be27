/** Each example app, started as its own process on a free port: a signed webhook is taken, a tampered one refused. */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateSecret } from '../../src/secret.js';
import { eventually, post, signed, tampered } from './helpers.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const nodeArgs = ['--import', 'tsx', '--conditions=@hookd/source'];

interface Started {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts `script` with PORT=0 (the OS picks a free port) and waits for the line that says where it listens. */
async function startExample(script: string, env: Record<string, string>): Promise<Started> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, script], {
    cwd: root,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    if (url !== undefined) return { url, output: () => output, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${script} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const payment = { type: 'payment.completed', data: { amount: 42 } };

describe('examples', () => {
  test('express: a signed webhook is handled, a tampered one is refused', async (t) => {
    const secret = generateSecret();
    const app = await startExample('examples/express/server.ts', { WEBHOOK_SECRET: secret });
    t.after(app.stop);
    const ok = await post(app.url, signed(payment, { secret, id: 'msg_example_1' }));
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { received: true });
    const forged = await post(app.url, tampered(signed(payment, { secret })));
    assert.equal(forged.status, 401);
    assert.equal(forged.json.error?.code, 'signature_invalid');
    // The handler's line shows the webhook reached it (stdout may arrive just after the answer).
    await eventually(() => /payment msg_example_1 completed: 42/.test(app.output()));
  });

  test('fetch: without WEBHOOK_SECRET the printed development secret is the one it verifies with; send.ts works', async (t) => {
    const { WEBHOOK_SECRET: _, ...env } = process.env;
    const app = await startExample('examples/fetch/server.ts', { WEBHOOK_SECRET: '' });
    t.after(app.stop);
    const secret = /development secret (whsec_\S+)/.exec(app.output())?.[1];
    assert.ok(secret, 'the development secret is printed');
    assert.equal((await post(app.url, signed(payment, { secret }))).status, 200);
    const forged = await post(app.url, tampered(signed(payment, { secret })));
    assert.equal(forged.status, 401);
    assert.equal(forged.json.error?.code, 'signature_invalid');

    const send = (...args: string[]) =>
      promisify(execFile)(process.execPath, [...nodeArgs, 'examples/send.ts', app.url, ...args], {
        cwd: root,
        env,
        timeout: 30_000,
      });
    assert.match((await send()).stdout, /^200 \{"received":true\}/);
    assert.match((await send('--tamper')).stdout, /^401 .*signature_invalid/);
  });
});
