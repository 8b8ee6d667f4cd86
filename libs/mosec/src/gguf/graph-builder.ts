/** Collects the nodes and initializers of a graph under construction, one output per node. */
import { onnx } from 'onnx-proto';
import { ElementType, floatInitializer, int64Initializer, node } from '../onnx-writer';
import type { Matrix } from './matrix';

export class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];

  add(opType: string, inputs: string[], output: string, attributes: Record<string, number | number[]> = {}): string {
    this.nodes.push(node(opType, inputs, [output], attributes));
    return output;
  }

  floats(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push(floatInitializer(name, dims, values));
    return name;
  }

  int64s(name: string, values: number[]): string {
    this.initializers.push(int64Initializer(name, values));
    return name;
  }

  scalar(name: string, value: number, dataType = ElementType.FLOAT): string {
    this.initializers.push(
      dataType === ElementType.FLOAT
        ? { name, dims: [], dataType, floatData: [value] }
        : { name, dims: [], dataType, int64Data: [value] },
    );
    return name;
  }

  matrix(name: string, matrix: Matrix): string {
    return this.floats(name, [matrix.rows, matrix.columns], matrix.values);
  }
}
