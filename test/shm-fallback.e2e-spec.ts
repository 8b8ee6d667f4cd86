import { join } from 'node:path';
import { command, describeNeeding } from './support/prerequisites';
import { DIST, post, RunningServer, startCommand, waitForLog } from './support/server';

const RELAY = join(DIST, 'test/fixtures/relay/main.js');

/**
 * The relay fixture with its own /dev/shm: a tmpfs mounted with `options` in a mount namespace of its
 * own (util-linux `unshare`, as an unprivileged user through a user namespace), as a container's
 * small or read-only /dev/shm.
 */
function relayWithShm(options: string): Promise<RunningServer> {
  const script = `mount -t tmpfs -o ${options} tmpfs /dev/shm && exec "$0" "$1"`;
  return startCommand('unshare', ['--mount', '--map-root-user', 'sh', '-c', script, process.execPath, RELAY]);
}

/** A JSON body of about `kib` KiB, over the 128 KiB above which payloads go through /dev/shm. */
const largeBody = (kib: number) => JSON.stringify({ text: 'x'.repeat(kib * 1024) });

const mountNamespaces = command('unshare', 'util-linux, and a kernel that lets a user mount in a namespace of its own', [
  '--mount',
  '--map-root-user',
  'sh',
  '-c',
  'mount -t tmpfs tmpfs /dev/shm',
]);

describeNeeding(mountNamespaces, 'a /dev/shm that cannot take the payloads', () => {
  it('full (64 KiB, smaller than any payload): the payloads go through the frames, one warning per worker, answers intact', async () => {
    const server = await relayWithShm('size=64k');
    try {
      for (const kib of [300, 600, 300, 900]) {
        const body = largeBody(kib);
        const answer = await post(`${server.url}/relay`, body);
        expect(answer).toMatchObject({ status: 200, body });
      }
      // Each of the three workers wrote a result four times and failed four times: it says so once.
      const warnings = server.logs().match(/\[(First|Second|Third)#1\].*shared payloads: .*ENOSPC.*; large results go through the HTTP process meanwhile/g) ?? [];
      expect(warnings.map((line) => /\[(\w+#1)\]/.exec(line)![1]).sort()).toEqual(['First#1', 'Second#1', 'Third#1']);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('read-only: the service says so at startup and uses the frames, answers intact', async () => {
    const server = await relayWithShm('ro');
    try {
      await waitForLog(server, /ipc 'shm': \/dev\/shm is not writable here; payloads between stages go through the HTTP process/);
      const body = largeBody(600);
      expect(await post(`${server.url}/relay`, body)).toMatchObject({ status: 200, body });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
