/**
 * A process the service runs beside its workers (mosec's `register_daemon`): a cache, a sidecar, a
 * model server. It starts before the workers, its output goes to the service log under its name,
 * the service stops (exit 1) when it exits while serving, and it is stopped after the workers.
 */
export interface DaemonOptions {
  /** Names it in the log and in errors; unique among the daemons. */
  name: string;
  /** The executable: a path, or a name looked up in `PATH`. */
  command: string;
  args?: string[];
  /** Added to the service's own environment. */
  env?: Record<string, string>;
}

/** The `daemons` option checked, or an error naming the entry and what is wrong with it. */
export function checkDaemons(daemons: unknown): DaemonOptions[] {
  if (daemons === undefined) return [];
  if (!Array.isArray(daemons)) throw new Error('MosecModule: daemons must be a list of { name, command, args?, env? }');
  const names = new Set<string>();
  return daemons.map((daemon: Partial<DaemonOptions>, index) => {
    const name = typeof daemon?.name === 'string' ? daemon.name : '';
    const which = name ? `daemons: ${name}` : `daemons[${index}]`;
    if (!/^[\w.-]+$/.test(name)) {
      throw new Error(`MosecModule: daemons[${index}] needs a name of letters, digits, '.', '_' or '-'${name ? `, not "${name}"` : ''}`);
    }
    if (names.has(name)) throw new Error(`MosecModule: two daemons are named ${name}`);
    names.add(name);
    if (typeof daemon.command !== 'string' || daemon.command.trim() === '') throw new Error(`MosecModule: ${which} needs a command`);
    const args = daemon.args === undefined ? [] : daemon.args;
    if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) throw new Error(`MosecModule: ${which}: args must be a list of strings`);
    const env = daemon.env === undefined ? {} : daemon.env;
    if (typeof env !== 'object' || env === null || Array.isArray(env) || !Object.values(env).every((value) => typeof value === 'string')) {
      throw new Error(`MosecModule: ${which}: env must be an object of strings`);
    }
    return { name, command: daemon.command, args: [...args], env: { ...env } };
  });
}
