/** Deterministic inputs: the same seed gives the same bytes on every machine, so runs compare. */

/** mulberry32: a tiny, fast 32-bit generator; quality is ample for making test data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** A JSON event body of exactly `size` bytes (ASCII), in the Standard Webhooks envelope. */
export function seededJsonBody(random: () => number, size: number): string {
  const words = ['order', 'invoice', 'customer', 'amount', 'currency', 'status', 'paid', 'line', 'item', 'note'];
  const head = '{"type":"invoice.paid","timestamp":"2026-01-01T00:00:00.000Z","data":{"note":"';
  const tail = '"}}';
  let note = '';
  while (head.length + note.length + tail.length < size) note += `${words[Math.floor(random() * words.length)]} `;
  return head + note.slice(0, size - head.length - tail.length) + tail;
}
