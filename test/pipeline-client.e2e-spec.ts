import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DIST } from './support/server';

describe('PipelineClient calls, in an application context without a server', () => {
  let seen: { early: unknown; aborted: unknown; forwarded: string[] };
  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(DIST, 'test/fixtures/options/client-calls.js')], {
      env: { ...process.env, MOSEC_TIMEOUT: '10000', NO_COLOR: '1' },
      timeout: 60_000,
    });
    seen = JSON.parse(stdout.trim().split('\n').pop()!);
  }, 70_000);

  it('a call before the workers are ready is refused with 503 and its text', () => {
    expect(seen.early).toEqual({ status: 503, body: 'service is not ready' });
  });

  it('{ signal }: an aborted call rejects with an AbortError and its task never reaches forward', () => {
    expect(seen.aborted).toEqual({ name: 'AbortError', message: 'the pipeline call was aborted' });
    expect(seen.forwarded).not.toContain('aborted');
  });

  it('{ priority }: calls queued behind a busy worker are served high, then normal, then low', () => {
    // Queued in the order low, normal, high while 'busy' held the stage's only worker.
    expect(seen.forwarded).toEqual(['busy', 'high', 'normal', 'low', 'last']);
  });
});
