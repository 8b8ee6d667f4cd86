// The attacks on the byte budget in `npm run attack`: compressed uploads that stall, brotli bombs,
// and clients that never read their answers.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const MiB = 2 ** 20;
/**
 * 1 GiB of zeros in 841 bytes of brotli, made once with Node's zlib (quality 11, `BROTLI_PARAM_LGWIN`
 * 24: a 16 MiB window); compressing it again takes minutes.
 */
const BOMB = join(__dirname, '..', '..', 'test', 'fixtures', 'attack', 'zeros-1gib.br');
const brotliBomb = () => readFileSync(BOMB);

const BUDGET_ATTACKS = [];

module.exports = { BUDGET_ATTACKS, brotliBomb };
