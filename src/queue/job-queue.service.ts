import { withTimeout } from '../common/async/with-timeout';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { JobOf } from './job-payloads';
import { jobOptions } from './job-options';
import { JOB_QUEUE, JobName, QueueName } from './queue-names';

/** The typed producer: `add(JobName.Deliver, { deliveryId })` picks the queue and the job's default options. */
const ENQUEUE_TIMEOUT_MS = 2_000;

@Injectable()
export class JobQueue {
  private readonly logger = new Logger(JobQueue.name);
  private readonly queues: Record<QueueName, Queue>;
  private readonly defaults: Record<JobName, JobsOptions>;

  constructor(
    config: AppConfig,
    @InjectQueue(QueueName.Processing) processing: Queue,
    @InjectQueue(QueueName.Delivery) delivery: Queue,
    @InjectQueue(QueueName.DeadLetter) deadLetter: Queue,
    @InjectQueue(QueueName.Replay) replay: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectQueue(QueueName.Retention) retention: Queue,
  ) {
    this.queues = {
      [QueueName.Processing]: processing,
      [QueueName.Delivery]: delivery,
      [QueueName.DeadLetter]: deadLetter,
      [QueueName.Replay]: replay,
      [QueueName.Maintenance]: maintenance,
      [QueueName.Retention]: retention,
    };
    this.defaults = jobOptions(config);
    // A queue without a listener hands its connection errors (Redis lost, a failover) to console.error, raw and
    // unstructured; they are logged like the workers' instead. The commands that failed report for themselves.
    for (const queue of Object.values(this.queues))
      queue.on('error', (error: Error) => this.logger.warn(`queue ${queue.name}: ${error.message}`));
  }

  add<N extends JobName>(name: N, data: JobOf<N>, options: JobsOptions = {}): Promise<Job<JobOf<N>>> {
    const queue = this.queueOf(name);
    return this.whenConnected(
      queue,
      () => queue.add(name, data, { ...this.defaults[name], ...options }) as Promise<Job<JobOf<N>>>,
    );
  }

  addBulk<N extends JobName>(name: N, jobs: { data: JobOf<N>; options?: JobsOptions }[]): Promise<Job<JobOf<N>>[]> {
    const queue = this.queueOf(name);
    const entries = jobs.map((job) => ({ name, data: job.data, opts: { ...this.defaults[name], ...job.options } }));
    return this.whenConnected(queue, () => queue.addBulk(entries) as Promise<Job<JobOf<N>>[]>);
  }

  /**
   * Fails fast while Redis is unreachable instead of queueing the command until it comes back: callers (ingress)
   * then rely on the outbox, and a request is never held hostage by Redis.
   */
  private async whenConnected<T>(queue: Queue, work: () => Promise<T>): Promise<T> {
    const attempt = async () => {
      // Waiting for the client is inside the time limit too: at boot with Redis down it never becomes ready.
      const client = await queue.client;
      if (client.status !== 'ready') throw new Error(`Redis is ${client.status}: job not enqueued`);
      return work();
    };
    return withTimeout(attempt(), ENQUEUE_TIMEOUT_MS, `Redis did not accept the job within ${ENQUEUE_TIMEOUT_MS} ms`);
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  allQueues(): Queue[] {
    return Object.values(this.queues);
  }

  private queueOf(name: JobName): Queue {
    return this.queues[JOB_QUEUE[name]];
  }
}
