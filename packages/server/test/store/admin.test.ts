/** The AdminStore contract, what the API and its actions rely on, run against SQLite and PostgreSQL. */
import { runAgainstBothStores } from './backends.js';
import { ROLE_CONTRACTS } from './roles.js';

await runAgainstBothStores('AdminStore', ROLE_CONTRACTS.AdminStore);
