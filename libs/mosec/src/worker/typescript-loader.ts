import { readFileSync } from 'node:fs';
import Module, { isBuiltin } from 'node:module';
import { dirname } from 'node:path';
import type * as TypeScript from 'typescript';

const TS_SOURCE = /\.(c|m)?tsx?$/;

interface InternalModule {
  _compile(code: string, filename: string): void;
}
type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;
const loader = Module as unknown as { _extensions: Record<string, (module: InternalModule, filename: string) => void>; _resolveFilename: Resolve };

/**
 * Lets a worker `require` the application's TypeScript sources, for a pipeline loaded from source (a
 * test runner's e2e test imports `src/app.module.ts`, not the build). It compiles each file with the
 * application's own `typescript` package and `tsconfig.json` (decorator metadata included, which
 * Nest's injection needs), to CommonJS, and resolves imports as TypeScript does (`./x.js` to `./x.ts`,
 * `paths` aliases); everything else, packages included, loads as Node loads it.
 */
export function registerTypeScript(entryFile: string): void {
  const ts = loadTypeScript(entryFile);
  const options = compilerOptions(ts, dirname(entryFile));
  const emitOptions: TypeScript.CompilerOptions = {
    ...options,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: undefined,
    verbatimModuleSyntax: false,
    declaration: false,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    noEmit: false,
  };
  const compile = (module: InternalModule, filename: string) => {
    const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions: emitOptions, fileName: filename });
    module._compile(outputText, filename);
  };
  for (const extension of ['.ts', '.tsx', '.cts', '.mts']) loader._extensions[extension] = compile;

  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (request, parent, ...rest) {
    if (parent?.filename && TS_SOURCE.test(parent.filename) && !isBuiltin(request)) {
      const found = ts.resolveModuleName(request, parent.filename, options, ts.sys).resolvedModule;
      if (found && !found.isExternalLibraryImport && TS_SOURCE.test(found.resolvedFileName) && !found.resolvedFileName.endsWith('.d.ts')) {
        return found.resolvedFileName;
      }
    }
    return resolve.call(this, request, parent, ...rest);
  };
}

function loadTypeScript(entryFile: string): typeof TypeScript {
  try {
    return require(require.resolve('typescript', { paths: [dirname(entryFile)] }));
  } catch {
    throw new Error(
      `the pipeline is loaded from its TypeScript source (${entryFile}), which workers compile with the application's ` +
        '`typescript` package, and none was found: npm install -D typescript, or start the compiled application',
    );
  }
}

/** The compiler options of the nearest tsconfig.json (none: decorators and their metadata on, as Nest needs). */
function compilerOptions(ts: typeof TypeScript, directory: string): TypeScript.CompilerOptions {
  const defaults: TypeScript.CompilerOptions = { experimentalDecorators: true, emitDecoratorMetadata: true, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  const file = ts.findConfigFile(directory, ts.sys.fileExists);
  if (!file) return defaults;
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  return { ...defaults, ...ts.parseJsonConfigFileContent(config ?? {}, ts.sys, dirname(file)).options };
}
