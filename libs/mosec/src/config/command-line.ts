import { parseArgs } from 'node:util';

/** A setting the command line takes: its flag, its `MOSEC_*` variable, and what `--help` says of it. */
interface FlagSpec {
  flag: string;
  variable: string;
  /** What the flag's value is, as `--help` shows it; none for an on/off flag. */
  value?: string;
  meaning: string;
}

/** mosec's flags, by the `MosecConfig` setting each overrides. */
export const FLAGS = {
  port: { flag: '--port', variable: 'MOSEC_PORT', value: '<n>', meaning: 'HTTP port' },
  address: { flag: '--address', variable: 'MOSEC_ADDRESS', value: '<ip>', meaning: 'address to bind' },
  timeout: { flag: '--timeout', variable: 'MOSEC_TIMEOUT', value: '<ms>', meaning: 'ms from arrival to answer before 408' },
  wait: { flag: '--wait', variable: 'MOSEC_WAIT', value: '<ms|auto>', meaning: 'ms a batch waits to fill (auto: follows the load), in stages whose @Stage sets no maxWaitTime' },
  capacity: { flag: '--capacity', variable: 'MOSEC_CAPACITY', value: '<n>', meaning: 'requests held at once before 429' },
  namespace: { flag: '--namespace', variable: 'MOSEC_NAMESPACE', value: '<name>', meaning: 'prefix of the metric names' },
  logLevel: { flag: '--log-level', variable: 'MOSEC_LOG_LEVEL', value: '<level>', meaning: 'debug, info, warning or error' },
  debug: { flag: '--debug', variable: 'MOSEC_DEBUG', meaning: 'same as --log-level debug' },
  maxRequestSize: { flag: '--max-request-size', variable: 'MOSEC_MAX_REQUEST_SIZE', value: '<bytes>', meaning: 'largest request body before 413' },
  compression: { flag: '--compression', variable: 'MOSEC_COMPRESSION', meaning: 'compress answers as Accept-Encoding asks (gzip, br, zstd), and take compressed request bodies' },
  dryRun: { flag: '--dry-run', variable: 'MOSEC_DRY_RUN', meaning: 'push the warm-up examples through each pipeline, report, end' },
} satisfies Record<string, FlagSpec>;

export type Setting = keyof typeof FLAGS;

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
  for (const [setting, spec] of Object.entries(FLAGS) as Array<[Setting, FlagSpec]>) {
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
    const spec: FlagSpec = FLAGS[setting];
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
      if (token.value !== undefined) throw new Error(`${spec.flag} takes no value (--no-${spec.flag.slice(2)} turns it off), not "${token.value}"`);
      line[setting] = true;
    }
  }
  return line;
}

/** A setting's override of the module option, flag before variable, with the name to blame for a bad value. */
export function overriding(line: CommandLine, env: NodeJS.ProcessEnv, setting: Setting): [name: string, raw: string | undefined] {
  const { flag, variable } = FLAGS[setting];
  const given = line[setting];
  if (given !== undefined) return [flag, String(given)];
  const raw = env[variable];
  return [variable, raw === '' ? undefined : raw];
}

/** The settings `--help` shows the values of: `MosecConfig` has them all. */
export type SettingsInForce = Record<Exclude<Setting, 'debug'>, string | number | boolean>;

/** The `--help` text: each flag, its variable, and its value without flags (the module options and the variables as set now). */
export function helpText(program: string, inForce: SettingsInForce): string {
  const rows = (Object.entries(FLAGS) as Array<[Setting, FlagSpec]>).map(([setting, spec]) => {
    const value = setting === 'debug' ? inForce.logLevel === 'debug' : inForce[setting];
    return [`${spec.flag}${spec.value ? ` ${spec.value}` : ''}`, spec.variable, onOff(value), spec.meaning];
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
