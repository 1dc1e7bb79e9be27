/** How `hookd listen` shows a caught request in the terminal: one readable block, or one JSON line with --json. */
import type { Captured, ForwardOutcome } from './listen-store.js';
import { formatBytes, type Paint, paintStatus, prettyBody } from './output.js';

/** Longest body printed in full; the web page and the SQLite file keep all of it. */
const BODY_LINES = 200;

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

export function requestBlock(p: Paint, request: Captured): string {
  const width = Math.min(process.stdout.columns ?? 100, 100);
  const title = `${p.bold(p.cyan(request.method))} ${p.bold(request.path)}`;
  const right = p.dim(`${clock(request.receivedAt)}  #${request.id}`);
  const rule = p.dim('─'.repeat(Math.max(4, width - request.method.length - request.path.length - 20)));
  const lines = [`${title} ${rule} ${right}`];
  for (const [name, value] of request.headers) lines.push(`  ${p.dim(`${name}:`)} ${value}`);
  const text = request.body.toString('utf8');
  const body = prettyBody(text).split('\n');
  if (text !== '') {
    lines.push('');
    for (const line of body.slice(0, BODY_LINES)) lines.push(`  ${line}`);
    if (body.length > BODY_LINES) lines.push(p.dim(`  … ${body.length - BODY_LINES} more lines (see the web page)`));
  }
  const facts = [formatBytes(request.body.length)];
  if (request.eventType) facts.push(request.eventType);
  lines.push('', `  ${p.dim(facts.join(' · '))}`);
  const v = request.verification;
  if (v) {
    const scheme = `${v.scheme}${v.detected ? ', detected' : ''}`;
    lines.push(
      v.ok
        ? `  ${p.green('✓ signature verified')} ${p.dim(`(${scheme})`)}`
        : `  ${p.red(`✗ signature not verified: ${v.code}`)} ${p.dim(`(${scheme})`)} ${v.message ?? ''}`,
    );
  }
  return lines.join('\n');
}

export function answerLine(p: Paint, status: number, delayMs: number, forwarded: boolean): string {
  const delay = delayMs > 0 ? p.dim(` after ${delayMs} ms`) : '';
  return `  ${p.dim('→ answered')} ${paintStatus(p, status)}${delay}${forwarded ? p.dim(' (the app’s answer)') : ''}`;
}

export function forwardLine(p: Paint, forward: ForwardOutcome): string {
  if (forward.status === null) return `  ${p.red(`↳ forward to ${forward.url} failed: ${forward.error}`)}`;
  const head = `  ${p.dim(`↳ ${forward.url} answered`)} ${paintStatus(p, forward.status)} ${p.dim(`in ${forward.durationMs} ms`)}`;
  const body = prettyBody(forward.body ?? '');
  return body === ''
    ? head
    : `${head}\n${body
        .split('\n')
        .slice(0, 40)
        .map((line) => `    ${line}`)
        .join('\n')}`;
}

/** The request as the web page's API and `--json` show it. */
export function requestJson(request: Captured): Record<string, unknown> {
  return {
    id: request.id,
    receivedAt: new Date(request.receivedAt).toISOString(),
    method: request.method,
    path: request.path,
    headers: Object.fromEntries(request.headers),
    body: request.body.toString('utf8'),
    size: request.body.length,
    eventType: request.eventType,
    verification: request.verification,
    responseStatus: request.responseStatus,
    forward: request.forward,
  };
}

/** The short form the page lists. */
export function requestSummary(request: Captured): Record<string, unknown> {
  return {
    id: request.id,
    receivedAt: new Date(request.receivedAt).toISOString(),
    method: request.method,
    path: request.path,
    size: request.body.length,
    eventType: request.eventType,
    verified: request.verification === null ? null : request.verification.ok,
    responseStatus: request.responseStatus,
  };
}
