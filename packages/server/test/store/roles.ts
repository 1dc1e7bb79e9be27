/**
 * The store's contracts by role, in one place: each role's test file runs its list against SQLite and PostgreSQL,
 * and pgbouncer.test.ts runs every list once more behind pgbouncer, so a contract added to a role runs everywhere.
 */
import { appTokensContract } from './app-tokens-contract.js';
import { appsContract } from './apps-contract.js';
import { attemptFeedContract } from './attempt-feed-contract.js';
import { auditLogContract } from './audit-log-contract.js';
import type { OpenStore } from './backends.js';
import { claimsContract } from './claims-contract.js';
import { dashboardContract } from './dashboard-contract.js';
import { endpointsContract } from './endpoints-contract.js';
import { eventTypesContract } from './event-types-contract.js';
import { limitsContract } from './limits-contract.js';
import { messageSearchContract } from './message-search-contract.js';
import { messagesContract } from './messages-contract.js';
import { opsContract } from './ops-contract.js';
import { pauseContract } from './pause-contract.js';
import { recordingContract } from './recording-contract.js';
import { recoveriesContract } from './recoveries-contract.js';
import { retentionContract } from './retention-contract.js';
import { secretsContract } from './secrets-contract.js';
import { settingsContract } from './settings-contract.js';
import { skippedContract } from './skipped-contract.js';
import { sourcesContract } from './sources-contract.js';
import { tenancyContract } from './tenancy-contract.js';

type Contract = (open: OpenStore) => void;
const all =
  (...contracts: Contract[]): Contract =>
  (open) => {
    for (const contract of contracts) contract(open);
  };

export const ROLE_CONTRACTS = {
  /** What the delivery worker relies on. */
  QueueStore: all(claimsContract, recordingContract, limitsContract, tenancyContract, pauseContract),
  /** What the API and its actions rely on. */
  AdminStore: all(
    appsContract,
    appTokensContract,
    settingsContract,
    secretsContract,
    endpointsContract,
    eventTypesContract,
    sourcesContract,
    messagesContract,
    messageSearchContract,
    skippedContract,
    attemptFeedContract,
    auditLogContract,
  ),
  /** What retention, metrics and the ops checks rely on. */
  OpsStore: all(retentionContract, opsContract),
  /** What the dashboard relies on beside the admin role. */
  DashboardStore: dashboardContract,
  /** What recovery jobs rely on: the API starting and cancelling them, the recovery loop running them. */
  RecoveryStore: recoveriesContract,
} satisfies Record<string, Contract>;
