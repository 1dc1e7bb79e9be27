/** What both examples read from the environment: PORT (default 3000; 0 picks a free one) and WEBHOOK_SECRET. */

// For local trials only: anyone who reads this file can sign webhooks with it.
export const DEV_SECRET = `whsec_${Buffer.from('hookd-example-secret-do-not-use-in-prod').toString('base64')}`;

export function exampleSettings(): { port: number; host: string; secret: string } {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  let secret = process.env.WEBHOOK_SECRET;
  if (secret === undefined || secret === '') {
    secret = DEV_SECRET;
    console.log(`WEBHOOK_SECRET is not set; using the development secret ${DEV_SECRET}`);
  }
  return { port, host, secret };
}

/** The receiver's logger on the console, details after the message. */
export const consoleLogger = {
  info: (details: object, message: string) => console.log(message, details),
  warn: (details: object, message: string) => console.warn(message, details),
  error: (details: object, message: string) => console.error(message, details),
};
