import { bootstrap } from '../bootstrap';
import { AppModule } from './app.module';
import { prepareMlpModel } from './mlp-model';

// The model file must exist before the workers start; they find it through MLP_MODEL_PATH.
prepareMlpModel();
void bootstrap(AppModule);
