/**
 * One identity per deployment. On PostgreSQL several processes serve one database behind a load balancer, so they must
 * agree on the admin token (the database records its hash) and on the settings that change what a delivery does
 * (each start compares its own with the database's record and warns when they differ). On SQLite one process serves
 * the file: the admin token is the one in the data folder or HOOKD_ADMIN_TOKEN, as always.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAdminToken, hashToken } from './api/index.js';
import { type Config, ConfigError, OPTIONS } from './config.js';
import { sameText } from './domain/index.js';
import { type AdminStore, privateDir, privateFiles } from './store/index.js';

export interface AdminToken {
  token: string;
  /** Kept in the data folder, generated now or on an earlier start. */
  generated: boolean;
  /** Generated now. */
  isNew: boolean;
}

type SettingStore = Pick<AdminStore, 'readSetting' | 'swapSetting'>;

const ADMIN_TOKEN_HASH = 'admin_token_hash';
const hashHex = (token: string) => hashToken(token).toString('hex');

/** The admin token from config, or the one kept in the data folder, generated on first start. */
function localAdminToken(config: Config): AdminToken {
  if (config.adminToken) return { token: config.adminToken, generated: false, isNew: false };
  const file = join(config.dataDir, 'admin-token');
  privateDir(config.dataDir);
  if (existsSync(file)) {
    privateFiles(file);
    return { token: readFileSync(file, 'utf8').trim(), generated: true, isNew: false };
  }
  const token = generateAdminToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  privateFiles(file);
  return { token, generated: true, isNew: true };
}

/**
 * The admin token of the deployment. On a shared database: HOOKD_ADMIN_TOKEN is recorded (a changed one replaces the
 * record, with a warning for the processes still running with the old one); without it, the first process generates
 * one and records it, and a process whose data folder does not hold the recorded token refuses to start.
 */
export async function clusterAdminToken(
  config: Config,
  store: SettingStore,
  shared: boolean,
  warn: (message: string) => void,
): Promise<AdminToken> {
  if (!shared) return localAdminToken(config);
  let recorded = await store.readSetting(ADMIN_TOKEN_HASH);
  if (config.adminToken) {
    const hash = hashHex(config.adminToken);
    const changed = recorded === null || !sameText(recorded, hash);
    if (changed && (await store.swapSetting(ADMIN_TOKEN_HASH, recorded, hash)) && recorded !== null) {
      warn(
        `${OPTIONS.adminToken.env} differs from the admin token this database recorded from an earlier start: ` +
          'recorded this one; processes still running with the old token accept only the old one until restarted with this one',
      );
    }
    return localAdminToken(config);
  }
  const file = join(config.dataDir, 'admin-token');
  if (recorded === null) {
    const local = localAdminToken(config);
    if (await store.swapSetting(ADMIN_TOKEN_HASH, null, hashHex(local.token))) return local;
    recorded = await store.readSetting(ADMIN_TOKEN_HASH); // Another process recorded its token first.
  }
  if (existsSync(file)) {
    const local = localAdminToken(config);
    if (recorded !== null && sameText(hashHex(local.token), recorded)) return local;
  }
  throw new ConfigError(
    'this PostgreSQL database already has an admin token, made by another hookd process, and this one does not know it: ' +
      `every process of one database must use the same admin token, so set ${OPTIONS.adminToken.env} (--${OPTIONS.adminToken.flag}) ` +
      'to it on each process (a lost token: start one process with a new one, then give every process that one)',
  );
}

/** Settings whose values must be the same in every process of one database, as the record compares them. */
function sharedSettings(config: Config): { name: keyof typeof OPTIONS; value: string }[] {
  return [
    { name: 'allowNetworks', value: config.allowNetworks.join(',') },
    { name: 'retrySchedule', value: config.delivery.retryScheduleMs.map((ms) => `${ms}ms`).join(',') },
  ];
}

/**
 * Compares this process's shared settings with those the database recorded at the previous start, records this
 * process's, and returns a warning for each that differs: a process that disagrees delivers differently.
 */
export async function compareSharedSettings(config: Config, store: SettingStore): Promise<string[]> {
  const warnings: string[] = [];
  for (const { name, value } of sharedSettings(config)) {
    const setting = `shared_setting.${name}`;
    const recorded = await store.readSetting(setting);
    if (recorded === value) continue;
    await store.swapSetting(setting, recorded, value);
    if (recorded === null) continue;
    const shown = (v: string) => (v === '' ? 'none' : v);
    warnings.push(
      `${OPTIONS[name].env} is ${shown(value)} here, but ${shown(recorded)} in the database's record of an earlier start: ` +
        'every process of one database should use the same (any still running with the old value disagree with this one)',
    );
  }
  return warnings;
}
