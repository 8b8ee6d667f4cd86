import { BatchWorker, Stage, ValidationError } from '@mosec/nest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrderRequest, OrderResponse } from './validation.dto';

/**
 * Prices orders in batches. The DTO has already been checked in the HTTP process; a rule it cannot
 * express (a discontinued product) fails only that order: an Error at its index, 422 for its client.
 */
@Stage({ maxBatchSize: 16, maxWaitTime: 20 })
export class Checkout implements BatchWorker<OrderRequest, OrderResponse> {
  example = [{ customer: 'warm-up', lines: [{ sku: 'tea-01', quantity: 1, price: 1 }] }];

  async forward(orders: OrderRequest[]): Promise<Array<OrderResponse | Error>> {
    await sleep(20); // stands for the model: long enough for concurrent orders to share a batch
    return orders.map((order) => {
      const gone = order.lines.find((line) => line.sku.startsWith('discontinued'));
      if (gone) return new ValidationError(`${gone.sku} is discontinued`);
      const total = order.lines.reduce((sum, line) => sum + line.quantity * line.price, 0);
      return { customer: order.customer, total, fields: Object.keys(order).sort(), batchSize: orders.length };
    });
  }
}
