import { checkDaemons } from './daemon-options';

describe('checkDaemons', () => {
  it('takes none, or each with its args and env', () => {
    expect(checkDaemons(undefined)).toEqual([]);
    expect(checkDaemons([{ name: 'redis', command: 'redis-server', args: ['--port', '6379'], env: { A: '1' } }, { name: 'b.2', command: '/bin/b' }])).toEqual([
      { name: 'redis', command: 'redis-server', args: ['--port', '6379'], env: { A: '1' } },
      { name: 'b.2', command: '/bin/b', args: [], env: {} },
    ]);
  });

  it.each([
    [{ name: 'redis' }, 'daemons: redis needs a command'],
    [{ name: 'redis', command: ' ' }, 'daemons: redis needs a command'],
    [{ command: 'redis-server' }, "daemons[0] needs a name of letters, digits, '.', '_' or '-'"],
    [{ name: 'my redis', command: 'redis-server' }, `daemons[0] needs a name of letters, digits, '.', '_' or '-', not "my redis"`],
    [{ name: 'redis', command: 'redis-server', args: '--port 6379' }, 'daemons: redis: args must be a list of strings'],
    [{ name: 'redis', command: 'redis-server', args: ['--port', 6379] }, 'daemons: redis: args must be a list of strings'],
    [{ name: 'redis', command: 'redis-server', env: { PORT: 6379 } }, 'daemons: redis: env must be an object of strings'],
    [{ name: 'redis', command: 'redis-server', env: null }, 'daemons: redis: env must be an object of strings'],
    [null, "daemons[0] needs a name of letters, digits, '.', '_' or '-'"],
  ])('refuses %p, naming the daemon and what is wrong', (daemon, message) => {
    expect(() => checkDaemons([daemon])).toThrow(`MosecModule: ${message}`);
  });

  it('refuses two daemons of one name, and a value that is not a list', () => {
    expect(() => checkDaemons([{ name: 'a', command: 'x' }, { name: 'a', command: 'y' }])).toThrow('MosecModule: two daemons are named a');
    expect(() => checkDaemons({ name: 'a', command: 'x' })).toThrow('MosecModule: daemons must be a list of { name, command, args?, env? }');
  });
});
