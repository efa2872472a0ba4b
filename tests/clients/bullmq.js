// BullMQ (on ioredis) against the server at $PORT: jobs, retries with backoff, delays,
// priorities, bulk adds, flows with children, waiting on a result, pause and resume.
// Prints one line per check; tests/client_libraries.rs runs it against redis-server
// and against ours and compares the two outputs.
const { Queue, Worker, QueueEvents, FlowProducer } = require('bullmq');

const connection = { host: '127.0.0.1', port: Number(process.env.PORT) };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function settle(queue, expected) {
  for (let i = 0; i < 600; i++) {
    const counts = await queue.getJobCounts('completed', 'failed');
    if (counts.completed + counts.failed >= expected) return counts;
    await sleep(50);
  }
  return queue.getJobCounts('completed', 'failed');
}

async function main() {
  const queue = new Queue('jobs', { connection });
  const events = new QueueEvents('jobs', { connection });
  await events.waitUntilReady();
  const results = [];
  const worker = new Worker('jobs', async (job) => {
    if (job.data.fail) throw new Error('boom');
    return job.data.x * 2;
  }, { connection, concurrency: 4 });
  worker.on('completed', (job, value) => results.push(value));

  for (let i = 0; i < 20; i++) await queue.add('double', { x: i });
  await queue.add('fails', { fail: true }, { attempts: 2, backoff: { type: 'fixed', delay: 50 } });
  await queue.add('later', { x: 100 }, { delay: 300 });
  await queue.add('urgent', { x: 200 }, { priority: 1 });
  await queue.addBulk([{ name: 'bulk', data: { x: 300 } }, { name: 'bulk', data: { x: 400 } }]);
  const flow = new FlowProducer({ connection });
  const tree = await flow.add({
    name: 'parent', queueName: 'jobs', data: { x: 1000 },
    children: [{ name: 'child', queueName: 'jobs', data: { x: 1 } },
      { name: 'child', queueName: 'jobs', data: { x: 2 } }],
  });
  const counts = await settle(queue, 28);
  console.log('counts', JSON.stringify(counts));
  console.log('sum of results', results.reduce((a, b) => a + b, 0));
  const failed = await queue.getFailed();
  console.log('failed', failed.map((job) => `${job.name} ${job.attemptsMade} ${job.failedReason}`));
  const parent = await queue.getJob(tree.job.id);
  console.log('children values', Object.values(await parent.getChildrenValues()).sort());
  const waited = await queue.add('waited', { x: 21 });
  console.log('waited', await waited.waitUntilFinished(events, 30000));
  await queue.pause();
  console.log('paused', await queue.isPaused());
  await queue.resume();
  console.log('resumed', !(await queue.isPaused()));
  await queue.clean(0, 1000, 'completed');
  console.log('after clean', JSON.stringify(await queue.getJobCounts('completed')));
  await worker.close();
  await flow.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
}

main().then(() => process.exit(0), (err) => {
  console.log('ERROR', err && err.message);
  process.exit(1);
});
