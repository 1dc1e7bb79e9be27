// Runs the built image's own files as a container would (called by .ci/image, with `podman image inspect` of the image
// and of its base, the image's mounted root, and a temp folder): its entrypoint and command, its environment, its user,
// a fresh /data, in a PID namespace where hookd is process 1. On SQLite: hookd starts, its HEALTHCHECK passes, it takes
// an app and an endpoint, delivers a signed webhook to a receiver on loopback, stops on SIGTERM, and starts again on the
// same /data with everything kept. On PostgreSQL (the machine's, as the tests use it): compose.yaml's commands, migrate
// then an API and a worker container, deliver one too.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
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
check('no compilers, sources or dev dependencies at run time', () => {
  const present = ['usr/bin/g++', 'usr/bin/make', 'usr/bin/python3', 'app/packages/server/src', 'app/node_modules/typescript'];
  assert.deepEqual(
    present.filter((path) => existsSync(join(root, path))),
    [],
  );
  assert.ok(existsSync(join(root, 'app/node_modules/better-sqlite3/build/Release/better_sqlite3.node')));
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
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/webhook`;

/** A port free on this machine: the containers share its network, where the image's 8080 may be taken. */
async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A fresh folder for a container's /data, as an empty volume owned by the image's user. */
function volume() {
  const dir = mkdtempSync(join(tmp, 'data-'));
  chownSync(dir, uid, gid);
  return dir;
}

const running = new Set();

/**
 * A container of the image: process 1 of its own PID namespace, the image's root with /proc, /dev and a /data volume
 * mounted, the image's user, its environment plus `env` (as `docker run -e`), its entrypoint and `command` (or CMD).
 */
function start({ data, env = [], command = config.Cmd }) {
  const containerEnv = [...config.Env, `HOME=${account[5]}`, ...env];
  const mounts = `mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" && mount --bind "$DATA" "$R/data"`;
  const run = `exec chroot --userspec=${uid}:${gid} "$R" /usr/bin/env -i "$@"`;
  const args = ['--pid', '--fork', '--mount', '--propagation', 'private', '--kill-child', 'sh', '-c', `${mounts} && ${run}`];
  const child = spawn('unshare', [...args, 'sh', ...containerEnv, ...config.Entrypoint, ...command], {
    env: { ...process.env, R: root, DATA: data },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const container = { child, env: containerEnv, exited, output: () => output };
  running.add(container);
  exited.then(() => running.delete(container));
  return container;
}

/** Process 1 of each container still running first: it has changed user, so the kill of unshare does not reach it. */
function killAll() {
  for (const container of running) {
    try {
      process.kill(pid1(container), 'SIGKILL');
    } catch {}
    container.child.kill('SIGKILL');
  }
}

/** The host's id of the container's process 1 (the child unshare forked). */
function pid1(container) {
  const { pid } = container.child;
  return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]);
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

async function ready(container, url) {
  await eventually(url, async () => {
    if (container.child.exitCode !== null) throw new Error('exited');
    return (await fetch(url)).ok;
  }).catch((error) => {
    throw new Error(`${error.message}\n${container.output()}`);
  });
}

/** The HEALTHCHECK command, run as Docker runs it: in the container (its namespaces, root, user and environment). */
function healthcheckPasses(container) {
  const enter = [`--target=${pid1(container)}`, '--pid', '--mount', '--root', '--wd', `--setuid=${uid}`, `--setgid=${gid}`];
  const result = spawnSync('nsenter', [...enter, '/usr/bin/env', '-i', ...container.env, ...healthcheck.Test.slice(1)]);
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  return result.stdout.toString().trim();
}

async function call(api, token, method, path, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

/** An app and an endpoint at the receiver; returns the id of a message published to it once it arrived, verified. */
async function deliverOne(api, token, uid, n) {
  const before = verified.length;
  if (n === 1) {
    assert.equal((await call(api, token, 'POST', '/v1/apps', { uid, name: uid })).status, 201);
    const endpoint = await call(api, token, 'POST', `/v1/apps/${uid}/endpoints`, { url: receiverUrl, secret: SECRET });
    assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
  }
  const published = await call(api, token, 'POST', `/v1/apps/${uid}/events`, { type: 'smoke.test', data: { uid, n } });
  assert.equal(published.status, 202, JSON.stringify(published.body));
  await eventually(`webhook ${n} of ${uid}`, async () => verified.length > before);
  assert.deepEqual(verified.at(-1).data, { uid, n });
  return published.body.id;
}

/** SIGTERM, as `docker stop` sends it (STOPSIGNAL), to process 1; hookd drains and exits 0. */
async function stop(container) {
  process.kill(pid1(container), config.StopSignal);
  const code = await Promise.race([container.exited, new Promise((resolve) => setTimeout(resolve, 15_000, 'running'))]);
  assert.equal(code, 0, `exit code 0 on ${config.StopSignal}:\n${container.output()}`);
  assert.match(container.output(), /SIGTERM: finishing in-flight deliveries, then stopping/);
}

async function sqlite() {
  console.log('== the image on SQLite, /data a volume');
  const data = volume();
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const env = [`HOOKD_PORT=${port}`, 'HOOKD_ALLOW_NETWORKS=127.0.0.0/8', 'HOOKD_LOG_LEVEL=warn'];
  const first = start({ data, env });
  await ready(first, `${api}/healthz`);
  // Listening on every address (HOOKD_HOST=0.0.0.0), not loopback only: a socket 00000000:port in the LISTEN state.
  const listening = new RegExp(`^\\s*\\d+: 00000000:${port.toString(16).toUpperCase().padStart(4, '0')} 0+:0000 0A `, 'm');
  check('starts, answers /healthz, listens on 0.0.0.0', () => assert.match(readFileSync('/proc/net/tcp', 'utf8'), listening));
  const status = readFileSync(`/proc/${pid1(first)}/status`, 'utf8');
  check(`process 1 runs as uid ${uid}`, () => assert.match(status, new RegExp(`^Uid:\\t${uid}\\t`, 'm')));
  check(`HEALTHCHECK passes: ${healthcheckPasses(first)}`, () => {});

  const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
  check('the admin token is generated in /data', () =>
    assert.match(first.output(), /admin token: +hk_admin_\S+ +\(generated now, kept in \/data\/admin-token/),
  );
  const message = await deliverOne(api, token, 'smoke', 1);
  check('an app, an endpoint, a webhook delivered and its signature verified', () => {});
  await stop(first);
  check('stops on SIGTERM as process 1, exit code 0', () => {});

  const second = start({ data, env });
  await ready(second, `${api}/healthz`);
  check('starts again on the same /data, with the same admin token', () =>
    assert.match(second.output(), /admin token: +in \/data\/admin-token/),
  );
  const events = await call(api, token, 'GET', '/v1/apps/smoke/events');
  check('the app, its endpoint and its message are still there', () =>
    assert.deepEqual(
      events.body.data.map((m) => m.id),
      [message],
    ),
  );
  await deliverOne(api, token, 'smoke', 2);
  check('delivers after the restart', () => {});
  await stop(second);
}

/** compose.yaml's command for each service, checked against the README's scale-out recipe. */
function composeCommands() {
  const commands = {};
  let service = null;
  for (const line of readFileSync('compose.yaml', 'utf8').split('\n')) {
    service = /^ {2}([\w-]+):$/.exec(line)?.[1] ?? service;
    const command = /^ {4}command: (.+)$/.exec(line)?.[1];
    if (command) commands[service] = command;
  }
  const readme = readFileSync('README.md', 'utf8');
  const recipe = readme.slice(readme.indexOf('## Running on PostgreSQL / scaling out'));
  for (const command of Object.values(commands)) assert.match(recipe, new RegExp(`^(?:npx )?hookd ${command}\\s`, 'm'));
  return commands;
}

async function postgres() {
  console.log('== compose.yaml on PostgreSQL: migrate, then an API and a worker container');
  const commands = composeCommands();
  check(`compose.yaml's commands are the README's: ${Object.values(commands).join(', ')}`, () =>
    assert.deepEqual(Object.keys(commands), ['migrate', 'api', 'worker']),
  );
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  try {
    await admin.connect();
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    console.log(`   - skipped: no PostgreSQL at 127.0.0.1:5432 (${error.message})`);
    return;
  }
  const database = `hookd_image_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${database}`);
  try {
    const token = randomBytes(24).toString('hex');
    const [apiPort, healthPort] = [await freePort(), await freePort()];
    const env = [
      `HOOKD_DATABASE_URL=postgres://postgres@127.0.0.1:5432/${database}`,
      `HOOKD_ADMIN_TOKEN=${token}`,
      // One key for every process: each container has a /data of its own to generate a different one in.
      `HOOKD_MASTER_KEY=${randomBytes(32).toString('base64')}`,
      'HOOKD_ALLOW_NETWORKS=127.0.0.0/8',
      'HOOKD_LOG_LEVEL=warn',
    ];
    // The ports are the compose file's, moved to free ones: the containers share this machine's network.
    const command = (service) =>
      commands[service]
        .replace('--port 8080', `--port ${apiPort}`)
        .replace('--health-port 8091', `--health-port ${healthPort}`)
        .split(' ');
    const migrate = start({ data: volume(), env, command: command('migrate') });
    assert.equal(await migrate.exited, 0, migrate.output());
    check('migrate applies the migrations and exits 0', () => assert.match(migrate.output(), /migrations applied/));
    const api = start({ data: volume(), env, command: command('api') });
    const worker = start({ data: volume(), env, command: command('worker') });
    await ready(api, `http://127.0.0.1:${apiPort}/readyz`);
    await ready(worker, `http://127.0.0.1:${healthPort}/readyz`);
    check(
      `the API and the worker are ready; HEALTHCHECK passes in each: ${healthcheckPasses(api)}; ${healthcheckPasses(worker)}`,
      () => {},
    );
    await deliverOne(`http://127.0.0.1:${apiPort}`, token, 'smoke-pg', 1);
    check('published to the API, delivered by the worker, signature verified', () =>
      assert.match(worker.output(), /role: +worker/),
    );
    await Promise.all([stop(api), stop(worker)]);
    check('both stop on SIGTERM, exit code 0', () => {});
  } finally {
    killAll();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

try {
  await sqlite();
  await postgres();
} finally {
  killAll();
  receiver.close();
}
