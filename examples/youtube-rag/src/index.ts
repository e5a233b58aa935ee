import type { TidingsPluginModule } from '@tidings/server';
import { youtubeRagPlugin } from './youtube-rag-plugin.js';

export { youtubeRagPlugin, YOUTUBE_RAG_JOB_TYPES, NOTIFICATIONS_HUB_PATH } from './youtube-rag-plugin.js';
export { PROGRESS_HUB_PATH, youtubeRagGroups, type YoutubeRagProgressClient } from './youtube-rag-client.js';
export { YoutubeRagConnectionManager } from './youtube-rag-connection-manager.js';
export type {
  JobStatusDto,
  JobProgressDto,
  JobCompletionStatsDto,
  JobCompletedDto,
  JobFailedDto,
  JobCancelledMessage,
  ErrorCode,
  ErrorMessage,
} from './payloads.js';

/** For `TIDINGS_PLUGINS=@tidings/example-youtube-rag`. */
const plugins: TidingsPluginModule = () => youtubeRagPlugin();
export default plugins;
