import { type ConduitSystemEvents, DEMO_PROVIDERS, type HealthStatus } from '../system-events.js';
import { type Logger } from '@tidings/server';

const NEXT: Record<HealthStatus, HealthStatus> = { Healthy: 'Degraded', Degraded: 'Unhealthy', Unhealthy: 'Healthy' };

/**
 * DEMO: flips one provider's health every `intervalMs` (round robin:
 * Healthy → Degraded → Unhealthy → Healthy), so `ProviderHealthChanged` and
 * the `SystemAlert` of an outage can be seen without a real health monitor.
 */
export class ProviderHealthFlipper {
  private timer: NodeJS.Timeout | undefined;
  private turn = 0;

  constructor(
    private readonly events: ConduitSystemEvents,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.flip(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async flip(): Promise<void> {
    const provider = DEMO_PROVIDERS[this.turn++ % DEMO_PROVIDERS.length]!;
    const current = this.events.providerHealth().find((p) => p.provider === provider)?.status ?? 'Healthy';
    try {
      await this.events.setProviderHealth(provider, NEXT[current], Math.round(50 + Math.random() * 400));
    } catch (error) {
      this.logger.warn({ err: error, provider }, 'demo provider health flip failed');
    }
  }
}
