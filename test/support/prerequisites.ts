import { execFileSync } from 'node:child_process';

/** Something a test needs from the machine: present or not, and what is missing (with how to install it). */
export interface Prerequisite {
  present: boolean;
  missing: string;
}

/** A command that must run (`<name> --version` by default). */
export function command(name: string, install: string, args: string[] = ['--version']): Prerequisite {
  let present = true;
  try {
    execFileSync(name, args, { stdio: 'ignore' });
  } catch {
    present = false;
  }
  return { present, missing: `${name} is not installed (${install})` };
}

/** A test that fetches Node's own binaries from a package built for Linux x64 only. */
export function linuxX64(what: string): Prerequisite {
  return { present: process.platform === 'linux' && process.arch === 'x64', missing: `${what} is built for Linux x64 only` };
}

export function all(...needs: Prerequisite[]): Prerequisite {
  const absent = needs.filter((need) => !need.present);
  return { present: absent.length === 0, missing: absent.map((need) => need.missing).join('; ') };
}

/**
 * `describe` for a suite that needs `need`. Where it is absent the suite is skipped, its reason in
 * its name (listed by the run's summary); under CI, which installs what the suite needs, it fails
 * instead, so that nothing is skipped there unseen.
 */
export function describeNeeding(need: Prerequisite, name: string, suite: () => void): void {
  if (need.present) return describe(name, suite);
  if (process.env.CI) return describe(name, () => it('has what it needs', () => fail(need)));
  describe.skip(`${name} (skipped: ${need.missing})`, suite);
}

/** `it` for a test that needs `need`; see `describeNeeding`. */
export function itNeeding(need: Prerequisite, name: string, test: jest.ProvidesCallback, timeout?: number): void {
  if (need.present) return it(name, test, timeout);
  if (process.env.CI) return it(name, () => fail(need));
  it.skip(`${name} (skipped: ${need.missing})`, test, timeout);
}

function fail(need: Prerequisite): never {
  throw new Error(`CI must provide this test's prerequisite: ${need.missing}`);
}
