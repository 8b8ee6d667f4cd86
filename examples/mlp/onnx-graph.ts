/** The example writes its model with the library's ONNX writer. */
export * from '@mosec/nest/onnx-writer';
