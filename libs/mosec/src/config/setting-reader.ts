import { MESSAGES } from '../mosec.messages';
import type { CommandLine } from './command-line';
import type { MosecOptions } from './mosec-options';
import { optionSource, SettingName, SettingSpec, specOf } from './settings';

/** Where a given value came from (`flag --port`, `env MOSEC_PORT`, `forRoot/forRootAsync option port`), and the value. */
export type Given = [source: string, raw: unknown];

/**
 * Reads settings as the table says: a flag over its variable over the module option over the default.
 * A module option may be a number's digits as well as the number (what `ConfigService.get` returns
 * from the environment); a bad value is an error that names where it came from.
 */
export class SettingReader {
  constructor(
    private readonly options: MosecOptions,
    private readonly env: NodeJS.ProcessEnv,
    private readonly line: CommandLine,
  ) {}

  /** The value given for a setting, and its source; undefined when none is (an empty variable is none). */
  given(name: SettingName): Given | undefined {
    const spec = specOf(name);
    const flagged = spec.flag ? this.line[name as keyof CommandLine] : undefined;
    if (spec.flag && flagged !== undefined) return [`flag ${spec.flag}`, String(flagged)];
    const variable = spec.variable ? this.env[spec.variable] : undefined;
    if (spec.variable && variable !== undefined && variable !== '') return [`env ${spec.variable}`, variable];
    const option = name === 'debug' ? undefined : this.options[name];
    if (option !== undefined && option !== '') return [optionSource(name), option];
    return undefined;
  }

  integer(name: SettingName, fallback: number): number {
    const given = this.given(name);
    return given ? integerOf(given, specOf(name)) : fallback;
  }

  text(name: SettingName, fallback: string): string {
    const given = this.given(name);
    if (!given) return fallback;
    const [source, raw] = given;
    if (typeof raw !== 'string') throw new Error(MESSAGES.notAString(source, raw));
    return raw;
  }

  onOff(name: SettingName, fallback: boolean): boolean {
    const given = this.given(name);
    return given ? onOffOf(given) : fallback;
  }

  /** One of the setting's `values`, in any case. */
  choice<T extends string>(name: SettingName, fallback: T): T {
    const given = this.given(name);
    if (!given) return fallback;
    const [source, raw] = given;
    const values = specOf(name).values ?? [];
    const value = String(raw).toLowerCase();
    if (typeof raw !== 'string' || !values.includes(value)) {
      throw new Error(MESSAGES.notOneOf(source, values, raw));
    }
    return value as T;
  }
}

/** An integer within the setting's range, from a number or its digits. */
export function integerOf([source, raw]: Given, spec: Pick<SettingSpec, 'min' | 'max'>): number {
  const min = spec.min ?? 0;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(MESSAGES.notAnInteger(source, min, max, raw));
  }
  return value;
}

/** On or off: a boolean, or a word for one (`1`, `true`, `on`, `yes`; `0`, `false`, `off`, `no`). */
export function onOffOf([source, raw]: Given): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw !== 'string') throw new Error(MESSAGES.notOnOff(source, raw));
  return !['0', 'false', 'off', 'no'].includes(raw.trim().toLowerCase());
}
