/**
 * The job detail in the TanStack Query cache is the one source of truth for a job page: the
 * HTTP fetch, the socket (replay + live) and the polling fallback all merge into it.
 */
import type { QueryClient } from "@tanstack/react-query";
import { provisionKeys } from "./keys";
import type { LiveEvent, LiveStatus, ProvisionDetail, ProvisionEvent, ProvisionJob } from "./types";

/** Union by `provision_event_id` (a replayed event may also arrive live), in task order. */
export function mergeEvents(current: readonly ProvisionEvent[], incoming: readonly ProvisionEvent[]): ProvisionEvent[] {
  const byId = new Map<number, ProvisionEvent>();
  for (const e of current) byId.set(e.provision_event_id, e);
  for (const e of incoming) if (!byId.has(e.provision_event_id)) byId.set(e.provision_event_id, e);
  return [...byId.values()].sort((a, b) => a.event_number - b.event_number);
}

/** Strip the progress members a socket payload adds to a ProvisionEvent. */
function asEvent({ tasks_done: _done, task_count: _count, ...event }: LiveEvent): ProvisionEvent {
  return event;
}

/** Add one live task result; returns false when it was already known (a duplicate). */
export function applyLiveEvent(queryClient: QueryClient, event: LiveEvent): boolean {
  let added = false;
  queryClient.setQueryData<ProvisionDetail>(provisionKeys.detail(event.provision_id), (job) => {
    if (!job || job.events.some((e) => e.provision_event_id === event.provision_event_id)) return job;
    added = true;
    const current = event.attempt >= job.attempts;
    return {
      ...job,
      events: mergeEvents(job.events, [asEvent(event)]),
      ...(current ? { tasks_done: event.tasks_done, task_count: event.task_count } : {}),
    };
  });
  return added;
}

/** Task results fetched by the polling fallback. */
export function applyPolledEvents(queryClient: QueryClient, provisionId: number, events: ProvisionEvent[]): void {
  if (events.length === 0) return;
  queryClient.setQueryData<ProvisionDetail>(provisionKeys.detail(provisionId), (job) =>
    job ? { ...job, events: mergeEvents(job.events, events) } : job,
  );
}

/** A job's new state; returns the previous status code (undefined when the job is not cached). */
export function applyLiveStatus(queryClient: QueryClient, status: LiveStatus): number | undefined {
  const previous = queryClient.getQueryData<ProvisionDetail>(provisionKeys.detail(status.provision_id));
  if (!previous) return undefined;
  queryClient.setQueryData<ProvisionDetail>(provisionKeys.detail(status.provision_id), {
    ...previous,
    provisioning_status: status.provisioning_status,
    status_label: status.status_label,
    attempts: status.attempts,
    retries: status.retries,
    tasks_done: status.tasks_done,
    task_count: status.task_count,
    error: status.error,
  });
  return previous.provisioning_status;
}

/** The highest event number cached for a job (the polling cursor). */
export function lastEventNumber(queryClient: QueryClient, provisionId: number): number {
  const job = queryClient.getQueryData<ProvisionDetail>(provisionKeys.detail(provisionId));
  return job?.events.reduce((max, e) => Math.max(max, e.event_number), 0) ?? 0;
}

/**
 * A task result's progress on every cached job list (the dashboard's recent jobs, the jobs
 * page): a list read while the job was starting would otherwise say "0/9 tasks" until the job
 * ends. Only the current attempt's results count (an older one's is stale).
 */
export function applyLiveProgress(queryClient: QueryClient, event: LiveEvent): void {
  queryClient.setQueriesData<{ items: ProvisionJob[] }>({ queryKey: provisionKeys.lists() }, (page) => {
    if (!page?.items.some((j) => j.provision_id === event.provision_id)) return page;
    return {
      ...page,
      items: page.items.map((job) =>
        job.provision_id === event.provision_id &&
        (event.attempt > job.attempts || (event.attempt === job.attempts && event.tasks_done > job.tasks_done))
          ? { ...job, attempts: event.attempt, tasks_done: event.tasks_done, task_count: event.task_count }
          : job,
      ),
    };
  });
}
