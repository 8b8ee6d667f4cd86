/**
 * Request validation with a nested class-validator DTO.
 *
 *   npm run example -- validation
 *   curl -X POST localhost:8000/inference -d '{"customer": "ada", "lines": [{"sku": "tea-01", "quantity": 2, "price": 3.5}]}'
 *   # {"customer":"ada","total":7,"fields":["customer","lines"],"batchSize":1}
 *   curl -X POST localhost:8000/inference -d '{"customer": "ada", "lines": [{"sku": "", "quantity": 0}]}'
 *   # 422 {"message":"request validation error","errors":[{"property":"lines.0.sku","messages":[...]}, ...]}
 *   open http://localhost:8000/openapi/swagger
 */
import { bootstrap } from '../bootstrap';
import { AppModule } from './app.module';

void bootstrap(AppModule);
