import { existsSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';

/**
 * How to start a worker so that the kernel kills it when the HTTP process dies, even in the middle of
 * a synchronous `forward` that never yields to the event loop (where its own `disconnect` handler
 * cannot run). Linux's parent-death signal, set by util-linux's `setpriv` before it execs Node; where
 * `setpriv` is missing, workers still exit on `disconnect` as soon as they yield.
 */
export function forkOptionsForParentDeath(execArgv: string[] = process.execArgv): { execPath: string; execArgv: string[] } {
  if (process.platform !== 'linux' || !existsSync(SETPRIV)) return { execPath: process.execPath, execArgv };
  return { execPath: SETPRIV, execArgv: ['--pdeathsig', 'KILL', process.execPath, ...execArgv] };
}

/**
 * How to spawn a program (a daemon) so that the kernel sends it `signal` when the HTTP process dies,
 * even by SIGKILL: `setpriv` sets the parent-death signal and execs the program, which keeps it.
 * Where `setpriv` is missing, the program as it is.
 */
export function spawnArgsForParentDeath(command: string, args: string[], signal: 'TERM' | 'KILL'): { command: string; args: string[] } {
  if (process.platform !== 'linux' || !existsSync(SETPRIV)) return { command, args };
  return { command: SETPRIV, args: ['--pdeathsig', signal, '--', command, ...args] };
}
