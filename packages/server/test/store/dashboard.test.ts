/** The DashboardStore contract, what the dashboard relies on beside the admin role, run against SQLite and PostgreSQL. */
import { runAgainstBothStores } from './backends.js';
import { ROLE_CONTRACTS } from './roles.js';

await runAgainstBothStores('DashboardStore', ROLE_CONTRACTS.DashboardStore);
