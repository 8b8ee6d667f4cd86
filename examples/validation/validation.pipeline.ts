import { Module } from '@nestjs/common';
import { Pipeline } from '@mosec/nest';
import { OrderRequest, OrderResponse } from './validation.dto';
import { Checkout } from './validation.stages';

/** `POST /inference`: properties the DTO does not declare are dropped before the stage sees them. */
@Pipeline('/inference', { stages: [Checkout], request: OrderRequest, response: OrderResponse })
@Module({ providers: [Checkout] })
export class OrderPipeline {}

/** `POST /strict`: the same stage (the same workers), but undeclared properties are refused with 422. */
@Pipeline('/strict', { stages: [Checkout], request: OrderRequest, response: OrderResponse, forbidUnknown: true })
@Module({ providers: [Checkout] })
export class StrictOrderPipeline {}
