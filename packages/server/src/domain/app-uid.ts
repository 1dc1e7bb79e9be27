/** The rule for an app's uid, the name a tenant gives it: the API and the dashboard both check it here. */

/** Letters, digits, `.`, `_` and `-`, 1 to MAX_UID_LENGTH characters (JSON Schema `pattern`, HTML `pattern`). */
export const UID_PATTERN = '^[A-Za-z0-9._-]+$';
export const MAX_UID_LENGTH = 256;
/** Uids hookd keeps for its own apps (`hookd-ops`): nobody may create or rename an app to one. */
const RESERVED_UID_PREFIX = 'hookd-';

const UID = new RegExp(UID_PATTERN);

export type UidProblem = 'characters' | 'reserved' | 'id_like' | 'path_step';

/** Why `uid` may not name an app, or null when it may. */
export function uidProblem(uid: string): UidProblem | null {
  if (uid.length > MAX_UID_LENGTH || !UID.test(uid)) return 'characters';
  if (uid.toLowerCase().startsWith(RESERVED_UID_PREFIX)) return 'reserved';
  // A uid must not look like an id, or `/v1/apps/{app}` could not tell them apart.
  if (uid.startsWith('app_')) return 'id_like';
  // URLs resolve `.` and `..` as path steps, so an app with such a uid could never be addressed.
  if (uid === '.' || uid === '..') return 'path_step';
  return null;
}
