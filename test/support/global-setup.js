// Makes the run's directory of shared servers (see shared-service.ts); the test workers inherit it.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  process.env.MOSEC_SHARED_SERVICES = mkdtempSync(join(tmpdir(), 'mosec-shared-services-'));
};
