/** The commands that manage what a running hookd holds, one group per resource: the only door to this folder. */
import type { Command } from 'commander';
import { appsCommand } from './apps.js';
import { deliveriesCommand } from './deliveries.js';
import { endpointsCommand } from './endpoints.js';
import { eventTypesCommand } from './event-types.js';
import { messagesCommand } from './messages.js';
import { sourcesCommand } from './sources.js';
import { tokensCommand } from './tokens.js';

export function manageCommands(): Command[] {
  return [
    appsCommand(),
    endpointsCommand(),
    eventTypesCommand(),
    sourcesCommand(),
    tokensCommand(),
    messagesCommand(),
    deliveriesCommand(),
  ];
}
