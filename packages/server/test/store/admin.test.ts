/** The AdminStore contract, what the API and its actions rely on, run against SQLite and PostgreSQL. */
import { appTokensContract } from './app-tokens-contract.js';
import { appsContract } from './apps-contract.js';
import { attemptFeedContract } from './attempt-feed-contract.js';
import { auditLogContract } from './audit-log-contract.js';
import { runAgainstBothStores } from './backends.js';
import { endpointsContract } from './endpoints-contract.js';
import { eventTypesContract } from './event-types-contract.js';
import { messagesContract } from './messages-contract.js';
import { secretsContract } from './secrets-contract.js';
import { settingsContract } from './settings-contract.js';
import { skippedContract } from './skipped-contract.js';
import { sourcesContract } from './sources-contract.js';

await runAgainstBothStores('AdminStore', (open) => {
  appsContract(open);
  appTokensContract(open);
  settingsContract(open);
  secretsContract(open);
  endpointsContract(open);
  eventTypesContract(open);
  sourcesContract(open);
  messagesContract(open);
  skippedContract(open);
  attemptFeedContract(open);
  auditLogContract(open);
});
