// The image's HEALTHCHECK: GET /healthz on the port this container's hookd listens on. The settings come as hookd
// reads them, flags first (from the command line of the container's first process), then HOOKD_* variables: the
// API's --port (8080), or a `--role worker` process's --health-port; such a worker without one has nothing to ask.
import { readFileSync } from 'node:fs';

const args = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
function setting(flag, env, fallback) {
  for (const [i, arg] of args.entries()) {
    if (arg === `--${flag}`) return args[i + 1];
    if (arg.startsWith(`--${flag}=`)) return arg.slice(flag.length + 3);
  }
  return process.env[env] || fallback;
}

const worker = setting('role', 'HOOKD_ROLE', 'both') === 'worker';
const port = worker ? setting('health-port', 'HOOKD_HEALTH_PORT', '') : setting('port', 'HOOKD_PORT', '8080');
if (!port) {
  console.log('a worker without --health-port: no health endpoint to ask');
  process.exit(0);
}
try {
  const answer = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  console.log(`/healthz on port ${port}: ${answer.status}`);
  process.exit(answer.ok ? 0 : 1);
} catch (error) {
  console.log(`/healthz on port ${port}: ${error.cause?.code ?? error.message}`);
  process.exit(1);
}
