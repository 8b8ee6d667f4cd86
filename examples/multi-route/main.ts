/**
 * Two routes, one shared batched stage (as mosec's multi_route example).
 *
 *   npm run example -- multi-route
 *   curl -X POST localhost:8000/inference --data-binary 'hello mosec'
 *   # {"length":11}
 *   node -e "const {pack, unpack} = require('msgpackr');
 *     fetch('http://localhost:8000/v1/inference', { method: 'POST',
 *       headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' },
 *       body: pack({ name: 'type check', bin: Buffer.from('hello mosec with type check') }) })
 *     .then((r) => r.arrayBuffer()).then((b) => console.log(unpack(Buffer.from(b))))"
 *   # { length: 27 }
 */
import { bootstrap } from '../bootstrap';
import { AppModule } from './app.module';

void bootstrap(AppModule);
