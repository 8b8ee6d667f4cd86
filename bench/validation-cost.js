#!/usr/bin/env node
// What a request DTO costs the HTTP process per request, against the raw path (which reads nothing):
// decode + class-transformer + class-validator + re-encode, for the validation example's order.
//
//   node bench/validation-cost.js            (uses dist/; MOSEC_DIST=<folder> for another build)
require('reflect-metadata');
const { join } = require('node:path');
const { Packr } = require('msgpackr');

const dist = join(__dirname, '..', process.env.MOSEC_DIST ?? 'dist');
const { createRequestValidator } = require(join(dist, 'libs/mosec/src/validation/request-validator.js'));
const { OrderRequest } = require(join(dist, 'examples/validation/validation.dto.js'));
const { codecFlagsFor } = require(join(dist, 'libs/mosec/src/http/content-types.js'));

const msgpack = new Packr({ useRecords: false, moreTypes: true });
const order = {
  customer: 'ada',
  note: 'ring twice',
  lines: Array.from({ length: 5 }, (_, i) => ({ sku: `tea-0${i}`, quantity: i + 1, price: 3.5 })),
};
const json = Buffer.from(JSON.stringify(order));
const packed = msgpack.pack(order);

/** Mean microseconds per call of `fn` (awaited), after a warm-up. */
async function measure(fn, rounds = 20000) {
  for (let i = 0; i < 2000; i++) await fn();
  const began = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await fn();
  return Number(process.hrtime.bigint() - began) / 1000 / rounds;
}

(async () => {
  const check = createRequestValidator(OrderRequest, false);
  const jsonFlags = codecFlagsFor('application/json', undefined);
  const msgpackFlags = codecFlagsFor('application/msgpack', undefined);
  const rows = [
    ['JSON.parse only', () => JSON.parse(json.toString())],
    ['JSON.parse + JSON.stringify (the re-encode alone)', () => Buffer.from(JSON.stringify(JSON.parse(json.toString())))],
    ['JSON.parse + msgpack pack (a pre-decoded hand-off)', () => msgpack.pack(JSON.parse(json.toString()))],
    ['full check, JSON body (decode, transform, validate, re-encode)', () => check(json, jsonFlags)],
    ['full check, msgpack body', () => check(packed, msgpackFlags)],
  ];
  console.log(`body: ${json.length} bytes JSON, ${packed.length} bytes msgpack (an order of ${order.lines.length} lines)`);
  for (const [name, fn] of rows) console.log(`${(await measure(fn)).toFixed(2).padStart(8)} µs  ${name}`);
})();
