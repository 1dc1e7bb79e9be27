// Runs the built image's own files as a container would (called by .ci/image, with `podman image inspect` of the image
// and of its base, the image's mounted root, and a temp folder): its entrypoint and command, its environment, its user,
// a fresh /data, in a PID namespace where hookd is process 1. hookd starts, its HEALTHCHECK passes, it takes an app
// and an endpoint, delivers a signed webhook to a receiver on loopback, stops on SIGTERM, and starts again on the same
// /data with everything kept.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';

const [imageFile, baseFile, root, tmp] = process.argv.slice(2);
const [image] = JSON.parse(readFileSync(imageFile, 'utf8'));
const [base] = JSON.parse(readFileSync(baseFile, 'utf8'));
const config = image.Config;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function check(what, fn) {
  fn();
  console.log(`   ✓ ${what}`);
}

// The image as built: who it runs as, what it says it is, how it is checked and stopped, what it adds to its base.
const [name, group] = config.User.split(':');
const account = readFileSync(join(root, 'etc/passwd'), 'utf8')
  .split('\n')
  .map((line) => line.split(':'))
  .find((fields) => fields[0] === name || fields[2] === name);
assert.ok(account, `the image's user ${config.User} is in its /etc/passwd`);
const [uid, gid] = [Number(account[2]), Number(group ?? account[3])];
check(`runs as ${config.User} (uid ${uid}), not root`, () => assert.ok(uid !== 0 && name !== 'root'));
const version = JSON.parse(readFileSync('packages/server/package.json', 'utf8')).version;
check(`labels: version ${version}, source, MIT`, () => {
  assert.equal(config.Labels['org.opencontainers.image.version'], version);
  assert.match(config.Labels['org.opencontainers.image.source'], /^https:\/\/github\.com\//);
  assert.equal(config.Labels['org.opencontainers.image.licenses'], 'MIT');
});
const healthcheck = image.Healthcheck ?? config.Healthcheck;
check('HEALTHCHECK, STOPSIGNAL SIGTERM, volume /data', () => {
  assert.equal(healthcheck?.Test?.[0], 'CMD');
  assert.equal(config.StopSignal, 'SIGTERM');
  assert.ok('/data' in (config.Volumes ?? {}));
});
const addedMB = (image.Size - base.Size) / 1e6;
check(`adds ${addedMB.toFixed(1)} MB to ${base.RepoTags[0]} (goal: under 100 MB)`, () => assert.ok(addedMB < 100));

// A receiver on loopback that keeps only what verifies as Standard Webhooks with the endpoint's secret.
const verified = [];
const receiver = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    try {
      verified.push(new Webhook(SECRET).verify(Buffer.concat(chunks).toString(), request.headers));
      response.writeHead(204).end();
    } catch {
      response.writeHead(401).end();
    }
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const probe = createServer();
await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
const port = probe.address().port;
await new Promise((resolve) => probe.close(resolve));

// The container's environment: the image's, a free port (the host's network is shared) and loopback allowed for the
// receiver, as `docker run -e …` would set them.
const env = [
  ...config.Env,
  `HOME=${account[5]}`,
  `HOOKD_PORT=${port}`,
  'HOOKD_ALLOW_NETWORKS=127.0.0.0/8',
  'HOOKD_LOG_LEVEL=warn',
];
const data = join(tmp, 'data');
mkdirSync(data);
chownSync(data, uid, gid);
const api = `http://127.0.0.1:${port}`;
const running = new Set();

/** hookd as the container's process 1: the entrypoint and command, the image's user, /proc, /dev and /data mounted. */
function start() {
  const mounts = `mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" && mount --bind "$DATA" "$R/data"`;
  const run = `exec chroot --userspec=${uid}:${gid} "$R" /usr/bin/env -i "$@"`;
  const args = ['--pid', '--fork', '--mount', '--propagation', 'private', '--kill-child', 'sh', '-c', `${mounts} && ${run}`];
  const child = spawn('unshare', [...args, 'sh', ...env, ...config.Entrypoint, ...config.Cmd], {
    env: { ...process.env, R: root, DATA: data },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const hookd = { child, exited, output: () => output };
  running.add(hookd);
  exited.then(() => running.delete(hookd));
  return hookd;
}

/** The host's id of the container's process 1 (the child unshare forked). */
function pid1(hookd) {
  const [pid] = readFileSync(`/proc/${hookd.child.pid}/task/${hookd.child.pid}/children`, 'utf8').trim().split(' ');
  return Number(pid);
}

async function eventually(what, fn, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function ready(hookd) {
  await eventually('/healthz', async () => {
    if (hookd.child.exitCode !== null) throw new Error(`hookd exited:\n${hookd.output()}`);
    return (await fetch(`${api}/healthz`)).ok;
  }).catch((error) => {
    throw new Error(`${error.message}\n${hookd.output()}`);
  });
}

async function call(token, method, path, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

/** SIGTERM, as `docker stop` sends it (STOPSIGNAL), to process 1; hookd drains and exits 0. */
async function stop(hookd) {
  process.kill(pid1(hookd), config.StopSignal);
  const code = await Promise.race([hookd.exited, new Promise((resolve) => setTimeout(resolve, 15_000, 'still running'))]);
  assert.equal(code, 0, `hookd exits 0 on ${config.StopSignal}:\n${hookd.output()}`);
  assert.match(hookd.output(), /SIGTERM: finishing in-flight deliveries, then stopping/);
}

try {
  const first = start();
  await ready(first);
  // Listening on every address (HOOKD_HOST=0.0.0.0), not loopback only: a socket 00000000:port in the LISTEN state.
  const sockets = readFileSync('/proc/net/tcp', 'utf8');
  const anyAddress = new RegExp(`^\\s*\\d+: 00000000:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A `, 'm');
  check('starts, answers /healthz, listens on 0.0.0.0', () => assert.match(sockets, anyAddress));
  const status = readFileSync(`/proc/${pid1(first)}/status`, 'utf8');
  check(`process 1 runs as uid ${uid}`, () => assert.match(status, new RegExp(`^Uid:\\t${uid}\\t`, 'm')));

  // The HEALTHCHECK command, run in the container (its namespaces and root) as the image's user, as Docker runs it.
  const health = spawnSync('nsenter', [
    `--target=${pid1(first)}`,
    '--pid',
    '--mount',
    '--root',
    '--wd',
    `--setuid=${uid}`,
    `--setgid=${gid}`,
    '/usr/bin/env',
    '-i',
    ...env,
    ...healthcheck.Test.slice(1),
  ]);
  check(`HEALTHCHECK passes: ${health.stdout.toString().trim()}`, () => assert.equal(health.status, 0, health.stderr.toString()));

  const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
  check('the admin token is generated in /data', () =>
    assert.match(first.output(), /admin token: +hk_admin_\S+ +\(generated now, kept in \/data\/admin-token/),
  );
  assert.equal((await call(token, 'POST', '/v1/apps', { uid: 'smoke', name: 'Smoke' })).status, 201);
  const url = `http://127.0.0.1:${receiver.address().port}/webhook`;
  const endpoint = await call(token, 'POST', '/v1/apps/smoke/endpoints', { url, secret: SECRET });
  assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
  const published = await call(token, 'POST', '/v1/apps/smoke/events', { type: 'smoke.first', data: { n: 1 } });
  assert.equal(published.status, 202);
  await eventually('the first webhook', async () => verified.length === 1);
  check('an app, an endpoint, a webhook delivered and its signature verified', () =>
    assert.deepEqual(verified[0].data, { n: 1 }),
  );
  await stop(first);
  check('stops on SIGTERM as process 1, exit code 0', () => {});

  const second = start();
  await ready(second);
  check('starts again on the same /data, with the same admin token', () =>
    assert.match(second.output(), /admin token: +in \/data\/admin-token/),
  );
  const events = await call(token, 'GET', '/v1/apps/smoke/events');
  check('the app, its endpoint and its message are still there', () => {
    assert.equal(events.status, 200);
    assert.deepEqual(
      events.body.data.map((m) => m.id),
      [published.body.id],
    );
  });
  await call(token, 'POST', '/v1/apps/smoke/events', { type: 'smoke.second', data: { n: 2 } });
  await eventually('the second webhook', async () => verified.length === 2);
  check('delivers after the restart', () => assert.deepEqual(verified[1].data, { n: 2 }));
  await stop(second);
} finally {
  // Process 1 first: it has changed user, so the kill of unshare does not reach it; its end ends its namespace.
  for (const hookd of running) {
    try {
      process.kill(pid1(hookd), 'SIGKILL');
    } catch {}
    hookd.child.kill('SIGKILL');
  }
  receiver.close();
}
