import type { Provider } from '@nestjs/common';
import { MOSEC_EXTRAS } from '../mosec.constants';
import { MosecConfig } from './mosec-config';
import type { MosecExtras, MosecOptions } from './mosec-options';
import { MOSEC_OPTIONS } from './mosec.module-definition';

/** `MosecConfig`: the options in force, from the module options, the extras and the environment. */
export const mosecConfigProvider: Provider = {
  provide: MosecConfig,
  useFactory: (options: MosecOptions, extras: MosecExtras) => new MosecConfig(options ?? {}, extras),
  inject: [MOSEC_OPTIONS, MOSEC_EXTRAS],
};
