/**
 * Text generation with continuous batching, under OpenAI's API.
 *
 *   npm run example -- chat
 *   curl -N localhost:8000/v1/chat/completions -H 'content-type: application/json' \
 *     -d '{"model": "SmolLM2-135M-Instruct", "stream": true, "messages": [{"role": "user", "content": "What is the capital of France?"}]}'
 */
import { bootstrap } from '../bootstrap';
import { AppModule } from './app.module';

void bootstrap(AppModule);
