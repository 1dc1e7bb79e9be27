/**
 * `hookd completion bash|zsh|fish`: a completion script made from the command tree itself, so a new command or
 * flag completes without anyone editing a script.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the scripts are shell text, where ${…} is the shell's
import { Argument, Command, type Option } from 'commander';

/** One place in the tree: `apps list` has the words `apps`, `list`. */
interface Node {
  path: string[];
  description: string;
  subcommands: { name: string; description: string }[];
  options: { flag: string; description: string; choices: string[]; takesValue: boolean }[];
  arguments: string[][];
}

function walk(command: Command, path: string[] = []): Node[] {
  const visibleOptions = command.options.filter((o) => !(o as Option & { hidden?: boolean }).hidden);
  const options = [...visibleOptions, { long: '--help', description: 'show help' } as Option]
    .filter((o) => o.long)
    .map((o) => ({
      flag: o.long as string,
      description: o.description,
      choices: o.argChoices ?? [],
      takesValue: o.required || o.optional,
    }));
  const node: Node = {
    path,
    description: command.description(),
    subcommands: command.commands.flatMap((c) =>
      [c.name(), ...c.aliases()].map((name) => ({ name, description: c.description() })),
    ),
    options,
    arguments: command.registeredArguments.map((a) => a.argChoices ?? []),
  };
  return [node, ...command.commands.flatMap((c) => [c.name(), ...c.aliases()].flatMap((name) => walk(c, [...path, name])))];
}

const firstLine = (text: string) => text.split('\n')[0] ?? '';

function bash(nodes: Node[]): string {
  const paths = nodes.filter((n) => n.path.length > 0).map((n) => `"${n.path.join(' ')}"`);
  const words = nodes.map((n) => {
    const list = [...n.subcommands.map((s) => s.name), ...(n.arguments[0] ?? []), ...n.options.map((o) => o.flag)];
    return `    "${n.path.join(' ')}") words="${list.join(' ')}" ;;`;
  });
  const choices = nodes.flatMap((n) =>
    n.options
      .filter((o) => o.choices.length > 0)
      .map((o) => `    "${n.path.join(' ')}|${o.flag}") words="${o.choices.join(' ')}" ;;`),
  );
  return [
    '# hookd completion for bash: source <(hookd completion bash), or save it in ~/.local/share/bash-completion/completions/hookd',
    '_hookd() {',
    '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmdpath="" next w i words=""',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w=${COMP_WORDS[i]}',
    '    [[ $w == -* ]] && continue',
    '    next="${cmdpath:+$cmdpath }$w"',
    '    case "$next" in',
    `      ${paths.join('|')}) cmdpath=$next ;;`,
    '    esac',
    '  done',
    '  case "$cmdpath|$prev" in',
    ...choices,
    '  esac',
    '  if [[ -z $words ]]; then',
    '    case "$cmdpath" in',
    ...words,
    '    esac',
    '  fi',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    'complete -o default -F _hookd hookd',
    '',
  ].join('\n');
}

/** Single-quoted for zsh, with `:` escaped as _describe wants. */
const zshItem = (name: string, description: string) =>
  `'${`${name.replace(/:/g, '\\:')}:${firstLine(description)}`.replace(/'/g, `'\\''`)}'`;

function zsh(nodes: Node[]): string {
  const paths = nodes.filter((n) => n.path.length > 0).map((n) => `'${n.path.join(' ')}'`);
  const cases = nodes.map((n) => {
    const items = [
      ...n.subcommands.map((s) => zshItem(s.name, s.description)),
      ...(n.arguments[0] ?? []).map((c) => zshItem(c, '')),
      ...n.options.map((o) => zshItem(o.flag, o.description)),
    ];
    return `    ('${n.path.join(' ')}') items=(${items.join(' ')}) ;;`;
  });
  const choices = nodes.flatMap((n) =>
    n.options
      .filter((o) => o.choices.length > 0)
      .map((o) => `    ('${n.path.join(' ')}|${o.flag}') items=(${o.choices.map((c) => zshItem(c, '')).join(' ')}) ;;`),
  );
  return [
    '#compdef hookd',
    '# hookd completion for zsh: source <(hookd completion zsh), or save it as _hookd in a folder of your $fpath',
    '_hookd() {',
    '  local cmdpath="" next w i',
    '  local -a items',
    '  for ((i = 2; i < CURRENT; i++)); do',
    '    w=${words[i]}',
    '    [[ $w == -* ]] && continue',
    '    next="${cmdpath:+$cmdpath }$w"',
    '    case "$next" in',
    `      (${paths.join('|')}) cmdpath=$next ;;`,
    '    esac',
    '  done',
    '  case "$cmdpath|${words[CURRENT-1]}" in',
    ...choices,
    '  esac',
    '  if (( ${#items} == 0 )); then',
    '    case "$cmdpath" in',
    ...cases,
    '    esac',
    '  fi',
    "  _describe 'hookd' items",
    '}',
    'if [ "$funcstack[1]" = "_hookd" ]; then _hookd "$@"; else compdef _hookd hookd; fi',
    '',
  ].join('\n');
}

const fishQuote = (text: string) => `'${firstLine(text).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(nodes: Node[]): string {
  const lines = [
    '# hookd completion for fish: hookd completion fish > ~/.config/fish/completions/hookd.fish',
    'complete -c hookd -f',
  ];
  for (const n of nodes) {
    // A node is reached when its own words are on the line and none of its subcommands is yet.
    const seen = n.path.map((w) => `__fish_seen_subcommand_from ${w}`);
    const below = n.subcommands.map((s) => s.name);
    const notYet = below.length > 0 ? [`not __fish_seen_subcommand_from ${below.join(' ')}`] : [];
    const condition = n.path.length === 0 ? ['__fish_use_subcommand'] : [...seen, ...notYet];
    const when = `-n ${fishQuote(condition.join('; and '))}`;
    for (const s of n.subcommands) lines.push(`complete -c hookd ${when} -a ${s.name} -d ${fishQuote(s.description)}`);
    for (const choice of n.arguments[0] ?? []) lines.push(`complete -c hookd ${when} -a ${choice}`);
    const leaf = n.path.length === 0 ? when : `-n ${fishQuote(seen.join('; and '))}`;
    for (const o of n.options) {
      // -x: one of the choices and nothing else; -r: a value, a file name allowed (`--data @order.json`).
      const values = o.choices.length > 0 ? ` -x -a ${fishQuote(o.choices.join(' '))}` : o.takesValue ? ' -r' : '';
      lines.push(`complete -c hookd ${leaf} -l ${o.flag.slice(2)} -d ${fishQuote(o.description)}${values}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export const SHELLS = { bash, zsh, fish } as const;

export function completionCommand(): Command {
  return new Command('completion')
    .description('Print a shell completion script for hookd: bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.keys(SHELLS)))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  source <(hookd completion bash)                       # in ~/.bashrc',
        '  source <(hookd completion zsh)                        # in ~/.zshrc, after compinit',
        '  hookd completion fish > ~/.config/fish/completions/hookd.fish',
      ].join('\n'),
    )
    .action((shell: string, _flags: unknown, self: Command) => {
      const root = self.parent ?? self;
      process.stdout.write(SHELLS[shell as keyof typeof SHELLS](walk(root)));
    });
}
