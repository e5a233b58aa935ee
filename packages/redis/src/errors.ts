/** Redis cannot be reached: the operation did not leave this process. */
export class BackplaneUnavailableError extends Error {
  override readonly name = 'BackplaneUnavailableError';
}

/** Another node did not answer a routed command in time (it may have died). */
export class BackplaneTimeoutError extends Error {
  override readonly name = 'BackplaneTimeoutError';
}
