/** Said while the hub connection is down: what the page shows is as last seen, and nothing can be done until it is back. */
export function OfflineBanner() {
  return (
    <div className="offline-banner" role="alert" aria-label="Offline">
      <strong>Offline.</strong> The service cannot be reached; reconnecting… Jobs show as last seen, their timers are paused and actions are off until
      the connection is back.
    </div>
  );
}
