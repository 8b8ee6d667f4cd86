import { WORKER_V8_FLAGS, workerExecArgv } from './worker-exec-argv';

describe('workerExecArgv', () => {
  it('puts the worker flags before the HTTP process own', () => {
    expect(workerExecArgv(['--enable-source-maps'])).toEqual([...WORKER_V8_FLAGS, '--enable-source-maps']);
  });

  it('leaves a flag out when the user set it on the command line, in either spelling', () => {
    expect(workerExecArgv(['--max_semi_space_size=16'])).toEqual(['--v8-pool-size=1', '--max_semi_space_size=16']);
  });

  it('leaves a flag out when NODE_OPTIONS sets it', () => {
    expect(workerExecArgv([], '--v8-pool-size=4  --max-old-space-size=512')).toEqual(['--max-semi-space-size=2']);
  });
});
