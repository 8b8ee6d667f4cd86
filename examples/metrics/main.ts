import { bootstrap } from '../bootstrap';
import { AppModule } from './app.module';

void bootstrap(AppModule);
