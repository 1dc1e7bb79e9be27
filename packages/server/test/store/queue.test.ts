/** The QueueStore contract, what the delivery worker relies on, run against SQLite and PostgreSQL. */
import { runAgainstBothStores } from './backends.js';
import { claimsContract } from './claims-contract.js';
import { limitsContract } from './limits-contract.js';
import { recordingContract } from './recording-contract.js';
import { tenancyContract } from './tenancy-contract.js';

await runAgainstBothStores('QueueStore', (open) => {
  claimsContract(open);
  recordingContract(open);
  limitsContract(open);
  tenancyContract(open);
});
