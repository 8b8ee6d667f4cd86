#!/usr/bin/env node
// Fetches, checks and converts the language models (GGUF to ONNX) into the git-ignored cache
// ($MOSEC_MODELS_DIR, default ./models). Runs after fetch-models.js (the embedding model) in `npm ci`'s
// postinstall and in `npm run fetch-models`; each model's step returns at once when its cache is complete.

const steps = [['SmolLM2-135M-Instruct', () => require('./fetch-smollm2').setupSmollm2()]];

if (process.env.MOSEC_FETCH_MODELS === 'skip') {
  console.log('setup-models: skipped (MOSEC_FETCH_MODELS=skip)');
  process.exit(0);
}

for (const [name, setup] of steps) {
  try {
    setup();
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  }
}
