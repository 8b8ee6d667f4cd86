import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helpText } from './command-line';
import { MosecConfig } from './mosec-config';
import type { MosecOptions } from './mosec-options';
import { optionsTableRows, SETTINGS } from './settings';

const README = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');

/** The rows of the README's Options table, below its header. */
function readmeOptionRows(): string[] {
  const lines = README.split('\n');
  const header = lines.indexOf('| option | variable | flag | default | meaning |');
  const rows: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

describe('the settings table', () => {
  it('is the README Options table, row for row', () => {
    expect(readmeOptionRows()).toEqual(optionsTableRows());
  });

  it('is what --help lists: every flag with its variable, and nothing else', () => {
    const text = helpText('main.js', new MosecConfig({}, { pipelines: [] }, {}, []));
    const listed = [...text.matchAll(/^ {2}(--[a-z-]+)(?: <[^>]+>)? +(MOSEC_[A-Z_]+) /gm)].map(([, flag, variable]) => [flag, variable]);
    const flagged = Object.values(SETTINGS)
      .filter((spec) => 'flag' in spec)
      .map((spec) => [(spec as { flag: string }).flag, (spec as { variable: string }).variable]);
    expect(listed).toEqual(flagged);
  });

  it('has a row for every module option (and the debug switch)', () => {
    // The table's type requires one entry per key of MosecOptions; this names a forgotten one at run time too.
    const documented: Array<keyof MosecOptions> = ['port', 'timeout', 'daemons', 'openapi', 'ipc', 'compression', 'shutdownTimeout'];
    for (const option of documented) expect(SETTINGS).toHaveProperty(option);
    expect(Object.keys(SETTINGS)).toContain('debug');
  });
});

describe('settings from forRootAsync, the environment and the command line', () => {
  const config = (options: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, argv: string[] = []) =>
    new MosecConfig(options as MosecOptions, { pipelines: [] }, env, argv);

  it('takes a number option given as its digits, as ConfigService.get returns it from the environment', () => {
    const set = config({ port: '8080', timeout: ' 5000 ', capacity: '16', maxBytesInFlight: '20971520', wait: '25', shutdownTimeout: '100' });
    expect(set).toMatchObject({ port: 8080, timeout: 5000, capacity: 16, maxBytesInFlight: 20_971_520, wait: 25, shutdownTimeout: 100 });
    expect(config({ compression: 'true', metrics: 'false' })).toMatchObject({ compression: true, metrics: false });
  });

  it('names where a bad value came from: the module option, the variable or the flag', () => {
    expect(() => config({ port: 'eighty' })).toThrow('forRoot/forRootAsync option port must be an integer from 0 to 65535, not "eighty"');
    expect(() => config({ port: 70000 })).toThrow('forRoot/forRootAsync option port must be an integer from 0 to 65535, not 70000');
    expect(() => config({}, { MOSEC_PORT: 'eighty' })).toThrow('env MOSEC_PORT must be an integer from 0 to 65535, not "eighty"');
    expect(() => config({}, {}, ['--port', 'eighty'])).toThrow('flag --port must be an integer from 0 to 65535, not "eighty"');
    expect(() => config({ heartbeatTimeout: '10' })).toThrow('forRoot/forRootAsync option heartbeatTimeout must be an integer from 1000');
    expect(() => config({ logLevel: 'loud' })).toThrow('forRoot/forRootAsync option logLevel must be debug, info, warning or error, not "loud"');
    expect(() => config({}, { MOSEC_LOG_FORMAT: 'xml' })).toThrow('env MOSEC_LOG_FORMAT must be text or json, not "xml"');
    expect(() => config({ ipc: 'pipe' })).toThrow('forRoot/forRootAsync option ipc must be shm, socket or a redis:// URL');
    expect(() => config({ address: 127 })).toThrow('forRoot/forRootAsync option address must be a string, not 127');
  });
});
