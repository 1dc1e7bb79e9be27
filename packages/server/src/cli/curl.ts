/** A captured request as a curl command a user can paste into a shell. */

const SKIPPED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'expect', 'accept-encoding']);

/** Single-quoted for POSIX shells: nothing inside is expanded; a quote is closed, escaped and reopened. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function curlCommand(request: { method: string; url: string; headers: [string, string][]; body: string }): string {
  const parts = [`curl -X ${request.method} ${shellQuote(request.url)}`];
  for (const [name, value] of request.headers)
    if (!SKIPPED.has(name.toLowerCase())) parts.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (request.body !== '') parts.push(`--data-binary ${shellQuote(request.body)}`);
  return parts.join(' \\\n  ');
}
