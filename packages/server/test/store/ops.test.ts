/** The OpsStore contract, what retention, metrics and the ops checks rely on, run against SQLite and PostgreSQL. */
import { runAgainstBothStores } from './backends.js';
import { ROLE_CONTRACTS } from './roles.js';

await runAgainstBothStores('OpsStore', ROLE_CONTRACTS.OpsStore);
