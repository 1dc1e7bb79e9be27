/** What `hookd send` and `hookd trigger` share: signing with a scheme, showing the request, sending it, exit codes. */
import { readFileSync } from 'node:fs';
import { type SchemeName, WebhookVerificationError } from '@hookd/sdk';
import { type SignedTestRequest, signTestRequest } from '@hookd/sdk/testing';
import { answerJson, describeAnswer, sendRequest } from './http.js';
import { CliError, EXIT, formatBytes, paintFor, printJson } from './output.js';

export interface SignOptions {
  scheme: SchemeName;
  payload: object;
  type: string;
  secrets: string[];
  id?: string;
}

/** Signs like the provider would; an unusable secret is a usage error that says which form is expected. */
export function signRequest(options: SignOptions): SignedTestRequest {
  try {
    return signTestRequest({
      scheme: options.scheme,
      payload: options.payload,
      type: options.type,
      secrets: options.secrets,
      ...(options.id === undefined ? {} : { id: options.id }),
    });
  } catch (error) {
    if (error instanceof WebhookVerificationError && error.code === 'secret_invalid') {
      throw new CliError(
        `--secret cannot sign with the ${options.scheme} scheme: ${error.message}`,
        EXIT.usage,
        options.scheme === 'standard'
          ? 'Standard Webhooks secrets look like whsec_<base64>; copy the endpoint’s secret from the API or your provider'
          : 'pass the signing secret your receiver verifies with',
      );
    }
    throw error;
  }
}

/** `--data` (or another flag): JSON text, `@file.json`, or `@-` for standard input. */
export function readJsonData(text: string, flag = '--data'): unknown {
  let source = text;
  let where = flag;
  if (text.startsWith('@')) {
    const path = text.slice(1);
    where = path === '-' ? 'standard input' : path;
    try {
      source = readFileSync(path === '-' ? 0 : path, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${where}: ${(error as Error).message}`, EXIT.usage, 'check the path after @');
    }
  }
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new CliError(
      `${where} is not JSON: ${(error as Error).message}`,
      EXIT.usage,
      `pass JSON inline ('{"order": 1}') or as a file (@order.json)`,
    );
  }
}

/** `-H 'Name: value'` flags as headers; a malformed one is a usage error. */
export function extraHeaders(list: string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const item of list ?? []) {
    const colon = item.indexOf(':');
    if (colon <= 0) throw new CliError(`--header ${JSON.stringify(item)} is not "Name: value"`, EXIT.usage);
    headers[item.slice(0, colon).trim().toLowerCase()] = item.slice(colon + 1).trim();
  }
  return headers;
}

export interface DeliverOptions {
  url: string;
  request: SignedTestRequest;
  /** A short description for the first line: scheme and event type. */
  label: string;
  timeoutMs: number;
  json: boolean;
  dryRun: boolean;
}

/** Sends (or with --dry-run only shows) one signed POST and sets the exit code from the answer. */
export async function deliver(options: DeliverOptions): Promise<void> {
  const { request, url } = options;
  const p = paintFor(process.stdout);
  if (options.dryRun) {
    if (options.json) printJson({ url, method: 'POST', headers: request.headers, body: request.body });
    else {
      process.stdout.write(`${p.bold('POST')} ${url}  ${p.dim(`(${options.label}, not sent: --dry-run)`)}\n`);
      for (const [name, value] of Object.entries(request.headers)) process.stdout.write(`${p.dim(`${name}:`)} ${value}\n`);
      process.stdout.write(`\n${request.body}\n`);
    }
    return;
  }
  if (!options.json) {
    process.stdout.write(
      `${p.bold('→ POST')} ${url}  ${p.dim(`${options.label} · ${formatBytes(Buffer.byteLength(request.body))}`)}\n`,
    );
  }
  const answer = await sendRequest({ url, headers: request.headers, body: request.body, timeoutMs: options.timeoutMs });
  if (options.json) printJson({ url, request: { headers: request.headers, body: request.body }, response: answerJson(answer) });
  else process.stdout.write(`${describeAnswer(p, answer)}\n`);
  if (answer.status < 200 || answer.status >= 300) process.exitCode = EXIT.refused;
}
