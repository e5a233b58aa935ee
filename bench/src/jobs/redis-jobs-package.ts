/** The scaled-jobs package, imported in one place so the Redis jobs scenario names it once. */
export { RedisJobCluster } from '@tidings/redis-jobs';
