import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { curlCommand } from './curl.js';

/** The arguments a POSIX shell hands to `curl` when the command is pasted, with curl replaced by a printer. */
function argumentsOf(command: string): string[] {
  const printer = `curl() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n`;
  const out = execFileSync('sh', ['-c', printer + command], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

test('a body starting with @ is sent as it is (--data-raw), never read from a local file', () => {
  const command = curlCommand({ method: 'POST', url: 'http://127.0.0.1:9000/in', headers: [], body: '@/etc/passwd' });
  assert.doesNotMatch(command, /--data-binary|--data |-d /);
  assert.deepEqual(argumentsOf(command), ['-X', 'POST', 'http://127.0.0.1:9000/in', '--data-raw', '@/etc/passwd']);
});

test('every part reaches curl exactly as caught, whatever shell syntax it holds', () => {
  const hostile = `'; touch /tmp/hookd-pwned; echo '$(id) \`id\` \${HOME} "q" \\ !x\nline two`;
  const request = {
    method: 'PO$T',
    url: `http://127.0.0.1:9000/p?q=${hostile}`,
    headers: [
      ['x-note', hostile],
      ['@evil', 'read a file'],
      ['host', 'dropped'],
    ] as [string, string][],
    body: hostile,
  };
  assert.deepEqual(argumentsOf(curlCommand(request)), [
    '-X',
    'PO$T',
    request.url,
    '-H',
    `x-note: ${hostile}`,
    '--data-raw',
    hostile,
  ]);
});
