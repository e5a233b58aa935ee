import type { HubTarget, ReliableMessenger } from './reliability/reliable-messenger.js';
import { GroupPatterns } from './conduit-constants.js';

export const HEALTH_STATUSES = ['Healthy', 'Degraded', 'Unhealthy'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const ALERT_SEVERITIES = ['Info', 'Warning', 'Error', 'Critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** The providers the demo knows (their health is what the demo flips). */
export const DEMO_PROVIDERS = ['openai', 'anthropic', 'replicate', 'minimax'] as const;

/**
 * System-wide and admin events: provider health and rate-limit warnings on
 * `/hubs/notifications` (Conduit's pattern: `system-notifications`, and the
 * key's `vkey-{id}` for its own limits), alerts and configuration changes on
 * `/hubs/admin-notifications` (`admin`).
 */
export class ConduitSystemEvents {
  private readonly health = new Map<string, HealthStatus>(DEMO_PROVIDERS.map((p) => [p, 'Healthy']));

  constructor(
    private readonly deps: {
      readonly messenger: ReliableMessenger;
      readonly notifications: () => HubTarget;
      readonly admin: () => HubTarget;
    },
  ) {}

  providerHealth(): { provider: string; status: HealthStatus }[] {
    return [...this.health].map(([provider, status]) => ({ provider, status }));
  }

  /** Sets a provider's health; a change is announced (and an outage alerts the admins). Returns whether it changed. */
  async setProviderHealth(provider: string, status: HealthStatus, responseTimeMs: number | null = null): Promise<boolean> {
    const previousStatus = this.health.get(provider) ?? null;
    if (previousStatus === status) return false;
    this.health.set(provider, status);
    await this.deps.messenger.send(this.deps.notifications(), [GroupPatterns.systemNotifications], 'ProviderHealthChanged', {
      provider,
      status,
      previousStatus,
      responseTimeMs,
      message: `Provider ${provider} is now ${status}`,
    });
    if (status === 'Unhealthy') {
      await this.systemAlert('Critical', `Provider ${provider} is unhealthy; requests to it will fail.`, `provider:${provider}`);
    }
    return true;
  }

  /** A key is close to (or at) its request limit. */
  async rateLimitWarning(virtualKeyId: string, warning: { limit: number; remaining: number; resetTime: string; endpoint: string }): Promise<void> {
    await this.deps.messenger.send(this.deps.notifications(), [GroupPatterns.virtualKey(virtualKeyId)], 'RateLimitWarning', {
      virtualKeyId,
      ...warning,
      message:
        warning.remaining === 0
          ? `Rate limit reached: ${warning.limit} requests per minute to ${warning.endpoint}.`
          : `${warning.remaining} of ${warning.limit} requests per minute left for ${warning.endpoint}.`,
    });
  }

  async systemAlert(severity: AlertSeverity, message: string, component: string | null = null): Promise<void> {
    await this.deps.messenger.send(this.deps.admin(), [GroupPatterns.admin], 'SystemAlert', { severity, message, component });
  }

  async configurationChanged(change: { setting: string; action: string; details: Record<string, unknown>; changedBy: string }): Promise<void> {
    await this.deps.messenger.send(this.deps.admin(), [GroupPatterns.admin], 'ConfigurationChanged', change);
  }
}
