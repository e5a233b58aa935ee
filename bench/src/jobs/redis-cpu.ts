import type { Redis } from 'ioredis';
import { cpuMicros } from '../clock.js';

/** CPU redis-server has used so far (user + system, its main process), in microseconds, from `INFO cpu`. */
export async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info);
    if (!match) throw new Error(`INFO cpu has no ${name}.`);
    return Number(match[1]) * 1e6;
  };
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** The server side's CPU so far when it is this process and a redis-server, in microseconds. */
export async function withRedisCpuMicros(redis: Redis): Promise<number> {
  return cpuMicros() + (await redisCpuMicros(redis));
}
