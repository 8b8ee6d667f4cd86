// A plain NestJS app on FastifyAdapter serving the MLP in-process (the P4 baseline). Listens on
// 127.0.0.1:$PORT.
const { loadMlpSession } = require('../mlp-session');
const { listenPlainNest, start } = require('../plain-nest');
const { MlpController, MLP } = require('./mlp.controller');

start(async () => {
  const mlp = await loadMlpSession();
  await listenPlainNest({ controller: MlpController, token: MLP, value: mlp, defaultPort: 8002 });
});
