/** The RecoveryStore contract, what recovery jobs rely on, run against SQLite and PostgreSQL. */
import { runAgainstBothStores } from './backends.js';
import { ROLE_CONTRACTS } from './roles.js';

await runAgainstBothStores('RecoveryStore', ROLE_CONTRACTS.RecoveryStore);
