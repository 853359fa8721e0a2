/**
 * Builds something once per Lambda container, on first use, shared by concurrent
 * callers. A failed build is not cached: the next invocation tries again (a
 * transient Secrets Manager or STS error must not poison the container).
 */
export function buildOnce<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build().catch((err: unknown) => {
      built = undefined;
      throw err;
    });
    return built;
  };
}
