import { MosecConfig } from './mosec-config';

describe('MosecConfig', () => {
  it('has mosec defaults', () => {
    const config = new MosecConfig({}, { pipelines: [] }, {});
    expect(config).toMatchObject({ port: 8000, address: '0.0.0.0', timeout: 3000, capacity: 1024, namespace: 'mosec_service', logLevel: 'info' });
  });

  it('lets MOSEC_* variables override module options', () => {
    const config = new MosecConfig(
      { port: 1, timeout: 5, capacity: 6 },
      { pipelines: [] },
      { MOSEC_PORT: '9000', MOSEC_TIMEOUT: '100', MOSEC_CAPACITY: '7', MOSEC_ADDRESS: '127.0.0.1', MOSEC_LOG_LEVEL: 'WARNING' },
    );
    expect(config).toMatchObject({ port: 9000, timeout: 100, capacity: 7, address: '127.0.0.1', logLevel: 'warning' });
    expect(config.nestLogLevels).toEqual(['fatal', 'error', 'warn']);
  });

  it('gives answers 30 s to be taken unless writeTimeout or MOSEC_WRITE_TIMEOUT says otherwise', () => {
    expect(new MosecConfig({}, { pipelines: [] }, {}).writeTimeout).toBe(30_000);
    expect(new MosecConfig({ writeTimeout: 5000 }, { pipelines: [] }, {}).writeTimeout).toBe(5000);
    expect(new MosecConfig({ writeTimeout: 5000 }, { pipelines: [] }, { MOSEC_WRITE_TIMEOUT: '2000' }).writeTimeout).toBe(2000);
    expect(() => new MosecConfig({}, { pipelines: [] }, { MOSEC_WRITE_TIMEOUT: '0' })).toThrow(/MOSEC_WRITE_TIMEOUT must be an integer from 1/);
  });

  it('names the variable that is wrong', () => {
    expect(() => new MosecConfig({}, { pipelines: [] }, { MOSEC_TIMEOUT: 'soon' })).toThrow(/MOSEC_TIMEOUT must be an integer/);
    expect(() => new MosecConfig({}, { pipelines: [] }, { MOSEC_LOG_LEVEL: 'loud' })).toThrow(/MOSEC_LOG_LEVEL/);
  });

  it('takes the probe paths from the extras, and refuses one that is not a path', () => {
    const config = new MosecConfig({}, { pipelines: [], readinessPath: '/health', guardProbes: true }, {});
    expect(config).toMatchObject({ readinessPath: '/health', metricsPath: '/metrics', guardProbes: true });
    expect(() => new MosecConfig({}, { pipelines: [], metricsPath: 'metrics' }, {})).toThrow(/metricsPath must start with "\/"/);
  });

  it('takes the limits of bodies checked against a DTO from options and variables, within the nesting any body may have', () => {
    expect(new MosecConfig({}, { pipelines: [] }, {}).bodyShape).toEqual({ maxObjectKeys: 1000, maxArrayLength: 10_000, maxBodyValues: 100_000, maxBodyDepth: 512 });
    const config = new MosecConfig({ maxObjectKeys: 5, maxBodyDepth: 8 }, { pipelines: [] }, { MOSEC_MAX_OBJECT_KEYS: '200000', MOSEC_MAX_BODY_VALUES: '300000' });
    expect(config.bodyShape).toEqual({ maxObjectKeys: 200_000, maxArrayLength: 10_000, maxBodyValues: 300_000, maxBodyDepth: 8 });
    expect(() => new MosecConfig({}, { pipelines: [] }, { MOSEC_MAX_BODY_DEPTH: '600' })).toThrow(/MOSEC_MAX_BODY_DEPTH must be an integer from 1 to 512/);
  });
});
