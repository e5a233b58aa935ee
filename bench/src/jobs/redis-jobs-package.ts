/**
 * The scaled-jobs package, in one place: `@tidings/redis/jobs` today, about to
 * become `@tidings/redis-jobs`. Only this line changes with the rename.
 */
export { RedisJobCluster } from '@tidings/redis/jobs';
