/**
 * Where this media task can be reached by the other tasks of the service. In ECS (awsvpc) each
 * task has its own private IP, read from the task metadata endpoint v4 the agent injects as
 * `ECS_CONTAINER_METADATA_URI_V4`; `MEDIA_TASK_URL` overrides it; locally tasks are processes on
 * loopback. Undefined when none applies: the task simply cannot receive relayed commands.
 */
export interface TaskUrlInput {
  /** `MEDIA_TASK_URL`, when set. */
  explicit?: string;
  /** `ECS_CONTAINER_METADATA_URI_V4`, when running in ECS. */
  ecsMetadataUri?: string;
  stage: string;
  port: number;
  fetch?: typeof fetch;
}

/**
 * The task's first IPv4 address from an ECS task metadata (v4) `/task` document:
 * `Containers[].Networks[].IPv4Addresses[]`. Undefined when the document has none.
 */
export function privateIpFromTaskMetadata(document: unknown): string | undefined {
  const containers = (document as { Containers?: unknown } | null)?.Containers;
  if (!Array.isArray(containers)) return undefined;
  for (const container of containers) {
    const networks = (container as { Networks?: unknown } | null)?.Networks;
    if (!Array.isArray(networks)) continue;
    for (const network of networks) {
      const addresses = (network as { IPv4Addresses?: unknown } | null)?.IPv4Addresses;
      if (!Array.isArray(addresses)) continue;
      const ip = addresses.find(
        (a): a is string => typeof a === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(a),
      );
      if (ip) return ip;
    }
  }
  return undefined;
}

export async function resolveTaskUrl(input: TaskUrlInput): Promise<string | undefined> {
  if (input.explicit) return input.explicit.replace(/\/+$/, '');
  if (input.ecsMetadataUri) {
    const response = await (input.fetch ?? fetch)(`${input.ecsMetadataUri}/task`, {
      signal: AbortSignal.timeout(2_000),
    });
    if (!response.ok) throw new Error(`task metadata answered ${response.status}`);
    const ip = privateIpFromTaskMetadata(await response.json());
    if (!ip) throw new Error('task metadata has no IPv4 address');
    return `http://${ip}:${input.port}`;
  }
  if (input.stage === 'local') return `http://127.0.0.1:${input.port}`;
  return undefined;
}
