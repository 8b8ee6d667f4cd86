/**
 * Server-Sent Events (as mosec's server_side_event example).
 *
 *   npm run example -- sse
 *   curl -N -X POST localhost:8000/inference -d '{"text": "mosec"}'
 *   # data: mosec   (five times)
 *   curl -N -X POST localhost:8000/inference -d '{"bad": "req"}'
 *   # event: error
 *   # data: SSE inference error: 422: Unprocessable Content: request validation error: text is required
 */
import { bootstrap } from '../bootstrap';
import { AppModule } from './app.module';

void bootstrap(AppModule);
