#!/usr/bin/env node
// Fetches, checks and converts every model the project's services use, into the git-ignored cache
// ($MOSEC_MODELS_DIR, default ./models). Runs as `npm ci`'s postinstall and as `npm run setup:models`;
// each model's step returns at once when its cache is complete.

const steps = [['SmolLM2-135M-Instruct', () => require('./fetch-smollm2').setupSmollm2()]];

for (const [name, setup] of steps) {
  try {
    setup();
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  }
}
