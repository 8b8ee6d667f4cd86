import type { Logger } from '@nestjs/common';
import type { Engine } from '../engine/engine';
import type { Route, RouteStage } from '../engine/task';
import { ItemFlags } from '../protocol/item-flags';

interface Outcome {
  status: number;
  body: string;
  stage: string;
}

/**
 * Pushes the first stage's warm-up examples of each route through the whole pipeline, as requests
 * already decoded, and reports. Returns whether every example came out with 200.
 */
export async function dryRun(engine: Engine, routes: readonly Route[], examples: ReadonlyMap<RouteStage, Buffer[]>, logger: Logger): Promise<boolean> {
  let passed = true;
  for (const route of routes) {
    const first = route.stages[0];
    const requests = examples.get(first) ?? [];
    const chain = route.stages.map((stage) => stage.name).join(' → ');
    if (requests.length === 0) {
      logger.warn(`dry run: POST ${route.path}: ${first.name} has no example; nothing was pushed through ${chain}`);
      continue;
    }
    const outcomes = await Promise.all(requests.map((payload) => push(engine, route, payload)));
    const failed = outcomes.filter((outcome) => outcome.status !== 200);
    if (failed.length === 0) {
      logger.log(`dry run: POST ${route.path}: ${outcomes.length} example(s) passed through ${chain}`);
      continue;
    }
    passed = false;
    for (const { stage, status, body } of failed) {
      logger.error(`dry run: POST ${route.path} failed in stage ${stage} with ${status}: ${body}`);
    }
  }
  return passed;
}

function push(engine: Engine, route: Route, payload: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const task = engine.submit(route, payload, ItemFlags.PREDECODED, (status, body, done) =>
      resolve({ status, body: body.toString(), stage: route.stages[done.step].name }),
    );
    if (!task) resolve({ status: 429, body: 'service full', stage: route.stages[0].name });
  });
}
