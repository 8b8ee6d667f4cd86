import type { Provider } from '@nestjs/common';
import { relative } from 'node:path';
import { MOSEC_EXTRAS, MOSEC_OPTIONS } from '../mosec.constants';
import { helpText, readCommandLine } from './command-line';
import { MosecConfig } from './mosec-config';
import type { MosecExtras, MosecOptions } from './mosec-options';

/**
 * `MosecConfig`: the options in force, from the module options, the extras, the environment and the
 * command line. `--help` lists the flags and ends the process here, before any worker starts.
 */
export const mosecConfigProvider: Provider = {
  provide: MosecConfig,
  useFactory: (options: MosecOptions, extras: MosecExtras) => {
    const args = process.argv.slice(2);
    if (readCommandLine(args).help) showHelp(options ?? {}, extras);
    return new MosecConfig(options ?? {}, extras, process.env, args);
  },
  inject: [MOSEC_OPTIONS, MOSEC_EXTRAS],
};

function showHelp(options: MosecOptions, extras: MosecExtras): never {
  const withoutFlags = new MosecConfig(options, extras, process.env, []);
  const script = process.argv[1] ?? 'main.js';
  const fromHere = relative(process.cwd(), script);
  process.stdout.write(helpText(fromHere.startsWith('..') ? script : fromHere, withoutFlags));
  process.exit(0);
}
