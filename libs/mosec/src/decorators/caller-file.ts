import { fileURLToPath } from 'node:url';

/**
 * The file whose code called `fn`: for a decorator factory, the file the decorated class is written in.
 * An ES module's file is known only this way, since ES modules have no `require.cache` to search.
 */
export function callerFile(fn: Function): string | undefined {
  const { prepareStackTrace, stackTraceLimit } = Error;
  try {
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.stackTraceLimit = 1;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, fn);
    const name = (holder.stack as NodeJS.CallSite[] | undefined)?.[0]?.getFileName();
    if (!name) return undefined;
    return name.startsWith('file:') ? fileURLToPath(name) : name;
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}
