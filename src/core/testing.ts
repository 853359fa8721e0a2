/**
 * What `promise` rejected with, for tests that assert on the error itself (its
 * class, `code`, `retryable`, what its message leaves out). Throws if it resolved.
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to reject');
}
