import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModelDirectory, readModelDirectory } from '@mosec/nest/transformers';

/** The model served when `MOSEC_EMBEDDING_MODEL` names no other directory (what `npm ci` fetches). */
export const DEFAULT_EMBEDDING_MODEL = 'all-MiniLM-L6-v2';
/** Its name on the Hugging Face hub, accepted as `model` too. */
export const DEFAULT_EMBEDDING_MODEL_ALIAS = 'sentence-transformers/all-MiniLM-L6-v2';

/**
 * The embedding model's directory: `MOSEC_EMBEDDING_MODEL` (a Hugging Face layout directory, e.g.
 * what `optimum-cli export onnx` writes), else all-MiniLM-L6-v2 in the models cache (`MOSEC_MODELS_DIR`,
 * else `models/` at the project's root). Throws, naming the fetch command, when it is not there.
 */
export function embeddingModel(env: NodeJS.ProcessEnv = process.env): ModelDirectory {
  return modelFromEnv('MOSEC_EMBEDDING_MODEL', DEFAULT_EMBEDDING_MODEL, env);
}

/** The directory the variable `name` gives, else the model `fallback` in the models cache (`MOSEC_MODELS_DIR`, else `models/`). */
export function modelFromEnv(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): ModelDirectory {
  const own = env[name];
  const dir = own || join(env.MOSEC_MODELS_DIR || join(projectRoot(), 'models'), fallback);
  return readModelDirectory(dir, own ? `${name} must name a model directory` : 'run `npm run fetch-models` (`npm ci` runs it)');
}

/** The nearest folder above this file with a package.json: the project (from the sources and from dist/). */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
