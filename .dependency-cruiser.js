// The library's layers (README, "How it fits together"): a folder imports only the folders below it,
// and nothing imports in a circle (type-only imports included). `npm test` runs this check first.
const SRC = '^libs/mosec/src/';

// Bottom to top. Folders on one line are one layer and do not import each other unless listed apart.
const LAYERS = [
  ['(mosec[.]constants|mosec[.]messages|errors|pipeline-error|interfaces)[.]ts$', 'onnx-writer/'],
  ['protocol/', 'gguf/'],
  ['decorators/'],
  ['engine/', 'onnx/'],
  ['ipc/'],
  ['transport/'],
  ['metrics/'],
  ['worker/'],
  ['transformers/'],
  ['validation/'],
  ['config/'],
  ['plan/'],
  ['gateway/'],
  ['service/'],
  ['http/', 'client/'],
  ['openai/', '(pipeline-providers|mosec-module-definition|mosec[.]module)[.]ts$'],
  ['index[.]ts$'],
];

const above = (index) => LAYERS.slice(index + 1).flat();
const layerRules = LAYERS.flatMap((folders, index) =>
  index === LAYERS.length - 1
    ? []
    : folders.map((folder) => ({
        name: `no-upward-from-${folder.replace(/[^a-z-]/g, '') || 'root'}`,
        comment: `${folder} is below ${above(index).join(', ')}: it must not import them`,
        severity: 'error',
        from: { path: `${SRC}${folder}`, pathNot: '[.]spec[.]ts$' },
        to: { path: above(index).map((target) => `${SRC}${target}`) },
      })),
);

// Folders of one layer that must stay apart: the transports meet only at the gateway.
const APART = [
  ['http/', 'client/'],
  ['client/', 'http/'],
  ['engine/', 'onnx/'],
  ['onnx/', 'engine/'],
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle, type-only imports included, ties the layers into a knot.',
      severity: 'error',
      from: { path: SRC },
      to: { circular: true },
    },
    ...layerRules,
    ...APART.map(([from, to]) => ({
      name: `${from.replace(/\W/g, '')}-not-on-${to.replace(/\W/g, '')}`,
      severity: 'error',
      from: { path: `${SRC}${from}`, pathNot: '[.]spec[.]ts$' },
      to: { path: `${SRC}${to}` },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '[.]spec[.]ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Lazily loaded modules count: `require('./validation')` is an import like any other.
    parser: 'tsc',
  },
};
