/** A captured request as a curl command a user can paste into a shell. */

const SKIPPED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'expect', 'accept-encoding']);
// An HTTP header name is a token; anything else (a name starting with `@` would make curl read a file) is left out.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Single-quoted for POSIX shells: nothing inside is expanded; a quote is closed, escaped and reopened. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Every part is quoted (a method only when it is more than letters). The body goes in `--data-raw`: with `--data-binary` (or `-d`) a body that
 * starts with `@` names a local file, and pasting the command would upload that file.
 */
export function curlCommand(request: { method: string; url: string; headers: [string, string][]; body: string }): string {
  const method = /^[A-Za-z]+$/.test(request.method) ? request.method : shellQuote(request.method);
  const parts = [`curl -X ${method} ${shellQuote(request.url)}`];
  for (const [name, value] of request.headers)
    if (TOKEN.test(name) && !SKIPPED.has(name.toLowerCase())) parts.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (request.body !== '') parts.push(`--data-raw ${shellQuote(request.body)}`);
  return parts.join(' \\\n  ');
}
