import { parseArgs } from 'node:util';
import { FlagSetting, SETTINGS, SettingName, SettingSpec } from './settings';

/** The settings a command-line flag sets, with their spec (the flag, its variable, what `--help` says). */
const FLAGGED = (Object.entries(SETTINGS) as Array<[SettingName, SettingSpec]>).filter(([, spec]) => spec.flag) as Array<[Setting, SettingSpec & { flag: string }]>;

export type Setting = FlagSetting;

/** What the command line set: the text of a valued flag, true or false for an on/off one. */
export type CommandLine = Partial<Record<Setting, string | boolean>> & { help: boolean };

/**
 * Reads mosec's flags from the arguments after the script. Anything else is left alone: a test
 * runner's own flags and positionals share `process.argv` with the service. A known flag used wrongly
 * (a valued flag with no value, an on/off flag given one) is an error naming it.
 */
export function readCommandLine(args: readonly string[]): CommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  const settingOf = new Map<string, Setting>();
  for (const [setting, spec] of FLAGGED) {
    const name = spec.flag.slice(2);
    options[name] = { type: spec.value ? 'string' : 'boolean' };
    settingOf.set(name, setting);
  }
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowNegative: true, tokens: true });
  const line: CommandLine = { help: false };
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    // allowNegative names `--no-compression` "compression"; only its raw name tells them apart.
    const negated = token.rawName.startsWith('--no-');
    if (token.name === 'help' && !negated) line.help = true;
    const setting = settingOf.get(token.name);
    if (!setting) continue;
    const spec: SettingSpec = SETTINGS[setting];
    if (negated) {
      if (!spec.value) line[setting] = false; // `--no-port` is nobody's flag: left alone like any other
      continue;
    }
    if (spec.value) {
      // Without strict parsing, `--port --debug` would take "--debug" as the port.
      if (!token.value || (!token.inlineValue && token.value.startsWith('--'))) {
        throw new Error(`${spec.flag} needs a value: ${spec.flag} ${spec.value}`);
      }
      line[setting] = token.value;
    } else {
      if (token.value !== undefined) throw new Error(`${spec.flag} takes no value (--no-${spec.flag!.slice(2)} turns it off), not "${token.value}"`);
      line[setting] = true;
    }
  }
  return line;
}

/** The settings `--help` shows the values of: `MosecConfig` has them all. */
export type SettingsInForce = Record<Exclude<Setting, 'debug'>, string | number | boolean>;

/** The `--help` text: each flag, its variable, and its value without flags (the module options and the variables as set now). */
export function helpText(program: string, inForce: SettingsInForce): string {
  const rows = FLAGGED.map(([setting, spec]) => {
    const value = setting === 'debug' ? inForce.logLevel === 'debug' : inForce[setting];
    return [`${spec.flag}${spec.value ? ` ${spec.value}` : ''}`, spec.variable ?? '', onOff(value), plainText(spec.doc)];
  });
  rows.push(['-h, --help', '', '', 'this list']);
  const table = [['flag', 'variable', 'default', ''], ...rows];
  const widths = [0, 1, 2].map((column) => Math.max(...table.map((row) => row[column].length)));
  const lines = table.map((row) => `  ${row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]) : cell)).join('  ')}`.trimEnd());
  return [
    `Usage: node ${program} [flags]`,
    '',
    'A flag overrides its MOSEC_* variable, which overrides the module option. The defaults are this',
    "service's: its module options and the variables as set now. --no-<flag> turns an on/off flag off.",
    '',
    ...lines,
    '',
  ].join('\n');
}

function onOff(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

/** A doc line of the settings table as a terminal shows it: no Markdown. */
function plainText(doc: string): string {
  return doc.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
}
