/** What clients read in answers that are not 200 (mosec's texts), and the service's own messages. */
export const ANSWERS = {
  ready: 'MOSEC service',
  notReady: 'service is not ready',
  shuttingDown: 'gracefully shutting down',
  tooLarge: 'request body is too large',
  tooManyHeaders: 'request has too many headers',
  badPriority: 'bad request: X-Mosec-Priority must be high, normal or low',
  tooMany: 'too many request: task queue is full',
  overBudget: 'too many request: request bytes in flight are at their limit (maxBytesInFlight)',
  compressionOff: 'unsupported media type: compressed request bodies are not taken while compression is off (MOSEC_COMPRESSION, --compression)',
  timeout: 'inference timeout',
  readTimeout: 'request timeout: the request was not received in time',
  internal: 'inference internal error',
  clientGone: 'client closed the request',
  quarantined: (stage: string, ms: number) =>
    `inference internal error: this request crashed the workers of ${stage} twice; the same request is refused for ${Math.ceil(ms / 1000)} s (quarantine)`,
} as const;

/** Texts of errors that stop the service from starting, each naming the fix. */
export const MESSAGES = {
  needsFastify: 'MosecModule needs the Fastify adapter: NestFactory.create(AppModule, new FastifyAdapter()) (npm install @nestjs/platform-fastify)',
  noPipelines: 'MosecModule: `pipelines` lists no @Pipeline module',
  notAPipeline: (name: string) => `${name} is not decorated with @Pipeline(path, { stages })`,
  notAModule: (name: string, stages: string[]) =>
    `${name} has @Pipeline but is not a Nest module with providers: its workers build it as a module. ` +
    `Add @Module({ providers: [${stages.join(', ')}] }) to ${name}, next to @Pipeline`,
  samePath: (path: string, first: string, second: string) =>
    `two pipelines are served at POST ${path}: ${first} and ${second}; give one of them another path in its @Pipeline(path)`,
  pipelineImported: (name: string, by: string) =>
    `${name} is imported by ${by}: a pipeline module is built in its worker processes only (its stages load their models there). ` +
    `Remove it from ${by}'s imports and list it in MosecModule.forRoot({ pipelines })`,
  routeTaken: (method: string, path: string, purpose: string, option: string) =>
    `${method} ${path} is already served by the application (a Nest controller?) and MosecModule serves ${purpose} there: ` +
    `move one of them (MosecModule option \`${option}\`, or remove \`nest new\`'s sample AppController)`,
  workersBuildThePipelineOnly: (pipeline: string) =>
    `A worker builds only its pipeline module ${pipeline} (its imports, its stage and the providers the stage injects), ` +
    `not the application module: a module that is global in the application (ConfigModule.forRoot({ isGlobal: true }), say) ` +
    `must also be in ${pipeline}'s @Module({ imports })`,
  notExported: (pipeline: string, file: string) =>
    `${pipeline} is not exported by ${file}, the file it is written in: export the @Pipeline class, as workers load that file to find it`,
  mainFile: (pipeline: string, file: string) =>
    `${pipeline} is written in the main file ${file}: each worker loads the file of its pipeline module, and loading this one ` +
    'would start the whole service again in every worker. Move the @Pipeline module to a file of its own',
  bundled: (pipeline: string, file: string) =>
    `${pipeline} is bundled into ${file} (webpack or rspack): each worker loads the file of its pipeline module by itself, ` +
    'which a bundle does not keep. Build with tsc or swc (`nest build` without `--builder webpack/rspack` or `webpack: true`)',
  looksLikeBatchWorker: (stage: string) =>
    `${stage} takes one item per forward (no maxBatchSize), but its forward failed with a TypeError on a single item: ` +
    `if it is a BatchWorker (forward takes an array), give it @Stage({ maxBatchSize: n }) with n > 1`,
  // The settings (config/): each names where its bad value came from (`flag --port`, `env MOSEC_PORT`, `forRoot/forRootAsync option port`).
  notAnInteger: (source: string, min: number, max: number, raw: unknown) => `${source} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`,
  notAString: (source: string, raw: unknown) => `${source} must be a string, not ${JSON.stringify(raw)}`,
  notOnOff: (source: string, raw: unknown) => `${source} must be true or false, not ${JSON.stringify(raw)}`,
  notOneOf: (source: string, values: readonly string[], raw: unknown) =>
    `${source} must be ${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}, not ${JSON.stringify(raw)}`,
  notAWait: (source: string, raw: unknown) => `${source} must be 'auto' or an integer of at least 0, not ${JSON.stringify(raw)}`,
  notAnIpc: (source: string, example: string, shown: string) => `${source} must be shm, socket or a redis:// URL (${example}), not ${shown}`,
  headersAfterRead: (headers: number, read: number) => `headersTimeout (${headers}) must not be longer than readTimeout (${read})`,
  budgetBelowRequest: (budget: number, request: number) =>
    `maxBytesInFlight (${budget}) must be at least maxRequestSize (${request}), or no request of that size could be taken`,
  notARoutePath: (name: string, path: unknown) => `MosecModule: ${name} must start with "/", not "${path}"`,
  daemonsNotAList: 'MosecModule: daemons must be a list of { name, command, args?, env? }',
  badDaemonName: (index: number, name: unknown) => `MosecModule: daemons[${index}] needs a name of letters, digits, '.', '_' or '-'${name ? `, not "${name}"` : ''}`,
  twoDaemonsNamed: (name: string) => `MosecModule: two daemons are named ${name}`,
  daemonNeedsCommand: (which: string) => `MosecModule: ${which} needs a command`,
  badDaemonArgs: (which: string) => `MosecModule: ${which}: args must be a list of strings`,
  badDaemonEnv: (which: string) => `MosecModule: ${which}: env must be an object of strings`,
  notServed: (pipeline: string) => `${pipeline} is not served: list it in MosecModule.forRoot({ pipelines })`,
  // The plan (plan/): what @Pipeline and @Stage say.
  noStages: (path: string, module: string) => `@Pipeline('${path}') on ${module} lists no stages`,
  stageNotProvided: (module: string, stage: string) => `${module} must list ${stage} in its @Module providers`,
  badCodec: (path: string, module: string, codec: unknown) => `@Pipeline('${path}') on ${module}: codec must be 'json' or 'msgpack', not ${JSON.stringify(codec)}`,
  notAStage: (type: string) => `${type} is listed as a stage but is not decorated with @Stage()`,
  badMaxBatchSize: (stage: string) => `@Stage ${stage}: maxBatchSize must be an integer >= 1`,
  badMaxWaitTime: (stage: string) => `@Stage ${stage}: maxWaitTime must be >= 0`,
  badStageTimeout: (stage: string) => `@Stage ${stage}: timeout must be >= 0`,
  badStageEnv: (stage: string, workers: number) => `@Stage ${stage}: env must have one entry per worker (${workers})`,
  needsBatchCost: (stage: string) => `@Stage ${stage}: maxBatchCost needs a static batchCost(item) method on the class`,
  badMaxBatchCost: (stage: string) => `@Stage ${stage}: maxBatchCost must be > 0`,
  badPipelinePath: (owner: string) => `${owner}: the pipeline path must start with "/"`,
  badNum: (stage: string) => `@Stage ${stage}: num must be an integer >= 1, or { min, max } with 1 <= min <= max`,
  badStageHeaders: (stage: string) => `@Stage ${stage}: headers must be a list of header names`,
} as const;
