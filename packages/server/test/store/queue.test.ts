/** The QueueStore contract, what the delivery worker relies on, run against SQLite and PostgreSQL. */
import { runAgainstBothStores } from './backends.js';
import { ROLE_CONTRACTS } from './roles.js';

await runAgainstBothStores('QueueStore', ROLE_CONTRACTS.QueueStore);
