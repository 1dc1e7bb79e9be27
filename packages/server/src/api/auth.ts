/** Bearer-token authentication. Tokens are kept only as SHA-256 hashes and compared in constant time. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function generateAdminToken(): string {
  return `hk_admin_${randomBytes(32).toString('base64url')}`;
}

/** Returns a check that throws `unauthorized` unless the header carries the token behind `hash`. */
export function bearerCheck(hash: Buffer): (authorization: string | undefined) => void {
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    // Hashing first makes the comparison constant-time whatever the offered token's length.
    if (!match || !timingSafeEqual(hashToken(match[1] as string), hash)) throw new ApiError('unauthorized');
  };
}
