/** The DashboardStore contract, what the dashboard relies on beside the admin role, run against SQLite and PostgreSQL. */
import { runAgainstBothStores } from './backends.js';
import { dashboardContract } from './dashboard-contract.js';

await runAgainstBothStores('DashboardStore', dashboardContract);
