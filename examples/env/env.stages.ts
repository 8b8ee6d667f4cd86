import { Stage, Worker } from '@mosec/nest';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DeviceAnswer {
  workerId: number;
  /** DEVICE as the constructor saw it: the env is in place before the stage is built. */
  initDevice: string | undefined;
  /** DEVICE when the request was served. */
  device: string | undefined;
  pid: number;
}

export const NUM_DEVICES = 4;

/** Four workers, each with its own DEVICE (as mosec's custom_env example gives each a GPU). */
@Stage({ num: NUM_DEVICES, env: Array.from({ length: NUM_DEVICES }, (_, i) => ({ DEVICE: `cuda:${i}` })) })
export class Inference implements Worker<unknown, DeviceAnswer> {
  workerId!: number;
  private readonly initDevice = process.env.DEVICE;

  async forward(): Promise<DeviceAnswer> {
    await sleep(20); // a busy worker leaves the next request to another one
    return { workerId: this.workerId, initDevice: this.initDevice, device: process.env.DEVICE, pid: process.pid };
  }
}
