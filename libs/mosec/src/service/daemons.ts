import { Logger } from '@nestjs/common';
import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnArgsForParentDeath } from '../transport/parent-death';
import type { DaemonOptions } from '../config/daemon-options';

/** Milliseconds a daemon gets to leave after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/**
 * The daemons' processes (mosec's `register_daemon`). Each runs in a process group of its own, so a
 * signal to the service's group (Ctrl-C, `docker stop` with `tini -g`) does not stop it under the
 * requests still draining: the service stops it, after the workers. Should the service die without
 * stopping it (SIGKILL), the kernel sends it SIGTERM (Linux, util-linux `setpriv`).
 */
export class Daemons {
  private readonly running = new Map<string, ChildProcess>();
  private stopping = false;
  /** The first unexpected exit, as a sentence naming the daemon. */
  private exited?: string;
  private readonly waiting = new Set<(why: string) => void>();

  constructor(
    private readonly daemons: DaemonOptions[],
    private readonly logger: Logger,
    /** A daemon exited while it should run. */
    private readonly onExit: (why: string) => void,
  ) {}

  get size(): number {
    return this.daemons.length;
  }

  /** Starts every daemon, in order; rejects naming the first that cannot start. */
  async start(): Promise<void> {
    if (this.daemons.length === 0) return;
    // A safety net where the parent-death signal is missing: a service that exits stops its daemons.
    process.once('exit', this.killAll);
    for (const daemon of this.daemons) await this.startOne(daemon);
    this.logger.log(`daemon(s) started: ${[...this.running].map(([name, child]) => `${name} (pid ${child.pid})`).join(', ')}`);
  }

  /** `work`, or the first daemon's exit before it is done, whichever comes first. */
  whileRunning<T>(work: Promise<T>): Promise<T> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    let settle!: (why: string) => void;
    const exit = new Promise<never>((_, reject) => {
      settle = (why) => reject(new Error(why));
      this.waiting.add(settle);
    });
    return Promise.race([work, exit]).finally(() => this.waiting.delete(settle));
  }

  /** SIGTERM to each daemon's process group, SIGKILL to those still there after the grace. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running].map(([name, child]) => this.stopOne(name, child, graceMs)));
    process.off('exit', this.killAll);
  }

  private startOne(daemon: DaemonOptions): Promise<void> {
    const { name } = daemon;
    const env = { ...process.env, ...daemon.env };
    // Looked up here: behind setpriv a missing program would be setpriv's exit 127, not ENOENT.
    const executable = findExecutable(daemon.command, env.PATH);
    if (!executable) return Promise.reject(new Error(`daemon ${name} could not start: ${daemon.command} not found (ENOENT)`));
    const { command, args } = spawnArgsForParentDeath(executable, daemon.args ?? [], 'TERM');
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const log = new Logger(name);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => log.log(line));
    }
    return new Promise((resolve, reject) => {
      child.once('error', (error) => reject(new Error(`daemon ${name} could not start: ${error.message}`)));
      child.once('spawn', () => {
        this.running.set(name, child);
        child.once('exit', (code, signal) => this.exitedOne(name, signal ? `was killed by ${signal}` : `exited with code ${code}`));
        resolve();
      });
    });
  }

  private exitedOne(name: string, how: string): void {
    this.running.delete(name);
    if (this.stopping) return void this.logger.log(`daemon ${name} stopped`);
    const why = `daemon ${name} ${how}`;
    this.exited ??= why;
    for (const settle of this.waiting) settle(why);
    this.onExit(why);
  }

  private stopOne(name: string, child: ChildProcess, graceMs: number): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.logger.warn(`daemon ${name} still running ${graceMs} ms after SIGTERM: SIGKILL`);
        signalGroup(child, 'SIGKILL');
      }, graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      signalGroup(child, 'SIGTERM');
    });
  }

  private readonly killAll = (): void => {
    for (const child of this.running.values()) signalGroup(child, 'SIGTERM');
  };
}

/** The daemon's whole process group (what it started too), or the daemon alone if that fails. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
}

/** The executable file `command` names: a path, or a name found in `PATH`. */
function findExecutable(command: string, path = ''): string | undefined {
  const candidates = command.includes('/') ? [resolve(command)] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}
