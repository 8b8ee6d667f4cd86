import { helpText, readCommandLine } from './command-line';
import { MosecConfig } from './mosec-config';

const config = (env: NodeJS.ProcessEnv, args: string[], options = {}) => new MosecConfig(options, { pipelines: [] }, env, args);

describe('readCommandLine', () => {
  it("reads mosec's flags, in both spellings", () => {
    const line = readCommandLine(['--port', '9000', '--timeout=5000', '--log-level', 'debug', '--max-request-size', '64', '--compression', '--dry-run']);
    expect(line).toEqual({ help: false, port: '9000', timeout: '5000', logLevel: 'debug', maxRequestSize: '64', compression: true, dryRun: true });
  });

  it("leaves a test runner's flags and positionals alone", () => {
    const line = readCommandLine(['--runInBand', '--testTimeout=5000', '-i', 'test/echo.e2e-spec.ts', '--reporter', 'dot', '--port', '9001']);
    expect(line).toEqual({ help: false, port: '9001' });
  });

  it('turns an on/off flag off with --no-', () => {
    expect(readCommandLine(['--no-compression', '--no-dry-run'])).toEqual({ help: false, compression: false, dryRun: false });
  });

  it('sees --help and -h', () => {
    expect(readCommandLine(['--help']).help).toBe(true);
    expect(readCommandLine(['-h']).help).toBe(true);
    expect(readCommandLine(['--port', '1']).help).toBe(false);
  });

  it('names a valued flag given no value, rather than taking the next flag as its value', () => {
    expect(() => readCommandLine(['--port'])).toThrow('--port needs a value: --port <n>');
    expect(() => readCommandLine(['--port', '--debug'])).toThrow('--port needs a value');
    expect(() => readCommandLine(['--timeout='])).toThrow('--timeout needs a value');
  });

  it('names an on/off flag given a value', () => {
    expect(() => readCommandLine(['--compression=yes'])).toThrow('--compression takes no value (--no-compression turns it off), not "yes"');
  });
});

describe('MosecConfig from the command line', () => {
  it('takes a flag over its variable, and a variable over the module option', () => {
    const env = { MOSEC_PORT: '8100', MOSEC_TIMEOUT: '4000', MOSEC_CAPACITY: '50' };
    const set = config(env, ['--port', '9000', '--timeout', '5000'], { port: 7000, capacity: 10, namespace: 'app' });
    expect(set).toMatchObject({ port: 9000, timeout: 5000, capacity: 50, namespace: 'app' });
  });

  it('reads every flag', () => {
    const args = ['--address', '127.0.0.1', '--wait', '25', '--capacity', '8', '--namespace', 'svc', '--max-request-size', '2048', '--compression', '--dry-run'];
    expect(config({}, args)).toMatchObject({ address: '127.0.0.1', wait: 25, capacity: 8, namespace: 'svc', maxRequestSize: 2048, compression: true, dryRun: true });
  });

  it('names the flag whose value is wrong', () => {
    expect(() => config({}, ['--port', 'abc'])).toThrow('--port must be an integer from 0 to 65535, not "abc"');
    expect(() => config({}, ['--wait', '-1'])).toThrow(/--wait must be an integer from 0/);
    expect(() => config({}, ['--log-level', 'loud'])).toThrow('--log-level must be debug, info, warning or error, not "loud"');
    // A flag wins, so a bad variable under it goes unread, as in mosec.
    expect(config({ MOSEC_PORT: 'abc' }, ['--port', '9000']).port).toBe(9000);
  });

  it('waits adaptively by default, takes auto or ms from the flag, the variable and the option; compression off', () => {
    expect(config({}, [])).toMatchObject({ wait: 'auto', compression: false, dryRun: false });
    expect(config({}, ['--wait', '10']).wait).toBe(10);
    expect(config({ MOSEC_WAIT: '10' }, ['--wait', 'auto']).wait).toBe('auto');
    expect(config({ MOSEC_WAIT: 'AUTO' }, [], { wait: 10 }).wait).toBe('auto');
    expect(config({}, [], { wait: 10 }).wait).toBe(10);
    expect(() => config({ MOSEC_WAIT: 'soon' }, [])).toThrow('MOSEC_WAIT must be an integer from 0');
    expect(() => config({}, [], { wait: -1 })).toThrow("wait must be 'auto' or an integer of at least 0, not -1");
  });

  it('turns compression on from the variable or the option, and a flag turns it off again', () => {
    expect(config({ MOSEC_COMPRESSION: '1' }, []).compression).toBe(true);
    expect(config({}, [], { compression: true }).compression).toBe(true);
    expect(config({ MOSEC_COMPRESSION: '1' }, ['--no-compression']).compression).toBe(false);
    expect(config({ MOSEC_WAIT: '30' }, []).wait).toBe(30);
  });

  it('reads --debug as --log-level debug, MOSEC_DEBUG as MOSEC_LOG_LEVEL=debug, flags first', () => {
    expect(config({}, ['--debug']).logLevel).toBe('debug');
    expect(config({ MOSEC_LOG_LEVEL: 'error' }, ['--debug']).logLevel).toBe('debug');
    expect(config({ MOSEC_DEBUG: '1' }, []).logLevel).toBe('debug');
    expect(config({ MOSEC_DEBUG: '1' }, ['--log-level', 'warning']).logLevel).toBe('warning');
    expect(config({ MOSEC_DEBUG: '0', MOSEC_LOG_LEVEL: 'error' }, []).logLevel).toBe('error');
    expect(config({ MOSEC_DEBUG: '1', MOSEC_LOG_LEVEL: 'error' }, ['--no-debug']).logLevel).toBe('error');
  });

  it('takes --dry-run over MOSEC_DRY_RUN=0', () => {
    expect(config({ MOSEC_DRY_RUN: '0' }, ['--dry-run']).dryRun).toBe(true);
  });
});

describe('helpText', () => {
  it('lists every flag with its variable and the value in force without flags', () => {
    const text = helpText('dist/main.js', config({ MOSEC_TIMEOUT: '4500' }, [], { capacity: 64 }));
    expect(text).toMatch(/^Usage: node dist\/main\.js \[flags\]/);
    const rows = [
      [/--port <n>/, 'MOSEC_PORT', '8000'],
      [/--address <ip>/, 'MOSEC_ADDRESS', '0.0.0.0'],
      [/--timeout <ms>/, 'MOSEC_TIMEOUT', '4500'],
      [/--wait <ms\|auto>/, 'MOSEC_WAIT', 'auto'],
      [/--capacity <n>/, 'MOSEC_CAPACITY', '64'],
      [/--namespace <name>/, 'MOSEC_NAMESPACE', 'mosec_service'],
      [/--log-level <level>/, 'MOSEC_LOG_LEVEL', 'info'],
      [/--debug/, 'MOSEC_DEBUG', 'off'],
      [/--max-request-size <bytes>/, 'MOSEC_MAX_REQUEST_SIZE', '10485760'],
      [/--compression/, 'MOSEC_COMPRESSION', 'off'],
      [/--dry-run/, 'MOSEC_DRY_RUN', 'off'],
    ] as const;
    for (const [flag, variable, value] of rows) {
      expect(text).toMatch(new RegExp(`^  ${flag.source} +${variable} +${value.replace(/\./g, '\\.')} +\\S`, 'm'));
    }
    expect(text).toMatch(/^ {2}-h, --help +this list$/m);
  });
});
