/** `hookd tokens`: API tokens that reach one app only (managed with the admin token). */
import { Command } from 'commander';
import { printJson } from '../output.js';
import { type ApiFlags, apiAction, confirm, group, printDeleted, printList, printRecord, said, when, withYes } from './common.js';
import { appOption } from './endpoints.js';

interface TokenFlags extends ApiFlags {
  app: string;
  name?: string;
  canMintPortalLinks?: boolean;
  yes?: boolean;
}

export function tokensCommand(): Command {
  const list = apiAction<TokenFlags>(
    new Command('list').description('List an app’s tokens (never the tokens themselves)').addOption(appOption()),
    async (ctx) => {
      const { data } = await ctx.call((c) => c.tokens.list(ctx.flags.app));
      printList(
        ctx.flags,
        { data, nextCursor: null },
        [
          { header: 'id', value: (t) => t.id },
          { header: 'name', value: (t) => t.name || '—', max: 40 },
          { header: 'portal links', value: (t) => (t.canMintPortalLinks ? 'yes' : 'no') },
          { header: 'created', value: (t) => when(t.createdAt) },
        ],
        { noun: 'tokens', hint: `make one: hookd tokens create --app ${ctx.flags.app} --name ci` },
      );
    },
  );

  const create = apiAction<TokenFlags>(
    new Command('create')
      .description('Make a token for one app; it is printed this once, hookd keeps only its hash')
      .addOption(appOption())
      .option('--name <name>', 'a label, e.g. who holds it')
      .option('--can-mint-portal-links', 'it may make app portal links too'),
    async (ctx) => {
      const { app, name, canMintPortalLinks } = ctx.flags;
      const created = await ctx.call((c) => c.tokens.create(app, { name, canMintPortalLinks }));
      if (ctx.flags.json) return printJson(created);
      said(`created token ${created.id} for app ${app}; it is shown this once, so keep it now`);
      printRecord(ctx.flags, created, (t) => [
        ['id', t.id],
        ['name', t.name || '—'],
        ['portal links', t.canMintPortalLinks],
        ['token', t.token],
      ]);
    },
  );

  const remove = apiAction<TokenFlags>(
    withYes(
      new Command('delete').description('Revoke a token at once').argument('<token>', 'its id (tok_…)').addOption(appOption()),
    ),
    async (ctx, token) => {
      await confirm(ctx.flags.yes, `revoke token ${token} of app ${ctx.flags.app}`);
      await ctx.call((c) => c.tokens.delete(ctx.flags.app, token as string));
      printDeleted(ctx.flags, 'token', token as string);
    },
  );

  return group(
    'tokens',
    'API tokens that reach one app only',
    [list, create, remove],
    [
      'hookd tokens create --app acme --name billing-service',
      'hookd tokens list --app acme',
      'hookd tokens delete tok_01J… --app acme --yes',
    ],
  );
}
