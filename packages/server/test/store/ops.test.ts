/** The OpsStore contract, what retention, metrics and the ops checks rely on, run against SQLite and PostgreSQL. */
import { runAgainstBothStores } from './backends.js';
import { opsContract } from './ops-contract.js';
import { retentionContract } from './retention-contract.js';

await runAgainstBothStores('OpsStore', (open) => {
  retentionContract(open);
  opsContract(open);
});
