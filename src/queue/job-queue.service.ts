import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { JobOf } from './job-payloads';
import { jobOptions } from './job-options';
import { JOB_QUEUE, JobName, QueueName } from './queue-names';

/** The typed producer: `add(JobName.Deliver, { deliveryId })` picks the queue and the job's default options. */
@Injectable()
export class JobQueue {
  private readonly queues: Record<QueueName, Queue>;
  private readonly defaults: Record<JobName, JobsOptions>;

  constructor(
    config: AppConfig,
    @InjectQueue(QueueName.Processing) processing: Queue,
    @InjectQueue(QueueName.Delivery) delivery: Queue,
    @InjectQueue(QueueName.DeadLetter) deadLetter: Queue,
    @InjectQueue(QueueName.Replay) replay: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
  ) {
    this.queues = {
      [QueueName.Processing]: processing,
      [QueueName.Delivery]: delivery,
      [QueueName.DeadLetter]: deadLetter,
      [QueueName.Replay]: replay,
      [QueueName.Maintenance]: maintenance,
    };
    this.defaults = jobOptions(config);
  }

  add<N extends JobName>(name: N, data: JobOf<N>, options: JobsOptions = {}): Promise<Job<JobOf<N>>> {
    return this.queueOf(name).add(name, data, { ...this.defaults[name], ...options });
  }

  addBulk<N extends JobName>(name: N, jobs: { data: JobOf<N>; options?: JobsOptions }[]): Promise<Job<JobOf<N>>[]> {
    return this.queueOf(name).addBulk(jobs.map((job) => ({ name, data: job.data, opts: { ...this.defaults[name], ...job.options } })));
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
