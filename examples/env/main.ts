/**
 * One environment per worker (as mosec's custom_env example).
 *
 *   npm run example -- env
 *   for i in 1 2 3 4; do curl -s -X POST localhost:8000/inference -d '{}' & done; wait
 *   # {"workerId":3,"initDevice":"cuda:2","device":"cuda:2","pid":...} ...
 */
import { bootstrap } from '../bootstrap';
import { AppModule } from './app.module';

void bootstrap(AppModule);
