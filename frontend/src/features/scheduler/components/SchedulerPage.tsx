import { Card } from "@mantine/core";
import { usePermission } from "@/api";
import { PageHeader, QueryState } from "@/components";
import { notifyError, notifySuccess } from "@/lib/notify";
import { usePeriodicJobs, useRunJobNow } from "../api";
import { JobsTable } from "./JobsTable";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

/** Admin: the periodic jobs the scheduler fires (docs/scheduler.md), and "Run now". */
export function SchedulerPage() {
  useDocumentTitle("Scheduler");
  const jobs = usePeriodicJobs();
  const runNow = useRunJobNow();
  const canRun = usePermission("scheduler.run");

  const run = (jobName: string) =>
    runNow.mutate(jobName, {
      onSuccess: (queued) => notifySuccess(`Run #${queued.run_id} of ${jobName} is queued for the workers`),
      onError: (error) => notifyError(error, `Could not run ${jobName}`),
    });

  return (
    <>
      <PageHeader
        title="Scheduler"
        description="Periodic jobs: the scheduler fires each at its due time, a worker runs it. Times are in your time zone."
      />
      <Card withBorder radius="md" padding="md">
        <QueryState query={jobs}>
          {({ items }) => (
            <JobsTable
              jobs={items}
              canRun={canRun}
              starting={runNow.isPending ? (runNow.variables ?? null) : null}
              onRun={run}
            />
          )}
        </QueryState>
      </Card>
    </>
  );
}
