/** What retention leaves of a message: the row stays, its payload becomes this marker (never a valid envelope). */
const PURGED_PAYLOAD = '';

/** True once retention has dropped the message's payload. */
export const isPurged = (message: { payload: string }): boolean => message.payload === PURGED_PAYLOAD;
