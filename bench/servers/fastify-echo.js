// Baseline: a bare fastify route answering the echo pipeline's JSON in-process, no stages, no workers.
const fastify = require('fastify')({ logger: false });

fastify.post('/inference', async (request, reply) => {
  const time = request.body?.time;
  if (typeof time !== 'number') return reply.code(422).send('time must be a number');
  return { msg: `sleep ${time} seconds` };
});

fastify.listen({ port: Number(process.env.PORT ?? 8001), host: '127.0.0.1' });
