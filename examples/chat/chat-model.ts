import type { ChatModel } from '@mosec/nest/openai';
import type { ModelDirectory } from '@mosec/nest/transformers';
import { modelFromEnv } from '../embedding/embedding-model';
import { ChatPipeline } from './chat.pipeline';

/** The model served when `MOSEC_CHAT_MODEL` names no other directory (what `npm ci` fetches and converts). */
export const DEFAULT_CHAT_MODEL = 'SmolLM2-135M-Instruct';
/** Its name on the Hugging Face hub, accepted as `model` too. */
export const DEFAULT_CHAT_MODEL_ALIAS = 'HuggingFaceTB/SmolLM2-135M-Instruct';

/**
 * The chat model's directory: `MOSEC_CHAT_MODEL` (a llama-family model in the Hugging Face layout with
 * `onnx/model.onnx` exported with its key/value cache), else SmolLM2-135M-Instruct in the models cache
 * (`MOSEC_MODELS_DIR`, else `models/`). Throws, naming the fetch command, when it is not there.
 */
export function chatModel(env: NodeJS.ProcessEnv = process.env): ModelDirectory {
  return modelFromEnv('MOSEC_CHAT_MODEL', DEFAULT_CHAT_MODEL, env);
}

/** The model as OpenAI's chat and text completions serve it. */
export function chatApiModel(model: ModelDirectory = chatModel()): ChatModel {
  return { id: model.name, aliases: model.name === DEFAULT_CHAT_MODEL ? [DEFAULT_CHAT_MODEL_ALIAS] : [], pipeline: ChatPipeline, model };
}
