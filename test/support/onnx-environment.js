/**
 * Jest's node environment for tests that run onnxruntime-node in the test process. Each test file gets
 * its own realm with its own typed-array constructors, but the native binding builds output tensors
 * from Node's own, and onnxruntime-common's `instanceof Float32Array` check then throws "A float32
 * tensor's data must be type of function Float32Array()". Sharing Node's constructors with the test
 * realm makes both sides agree. A test file opts in with the docblock
 * `@jest-environment ./test/support/onnx-environment.js` at its top.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxEnvironment;
