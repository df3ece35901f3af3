import type { JobRun, PeriodicJob } from "./api";

export const run = (overrides: Partial<JobRun> = {}): JobRun => ({
  run_id: 41,
  job_name: "inventory.release_quarantine",
  trigger: "schedule",
  due_at: "2030-01-01T12:00:00Z",
  fired_by: "sched-1:812",
  outcome: "success",
  queued_at: "2030-01-01T12:00:00Z",
  started_at: "2030-01-01T12:00:01Z",
  finished_at: "2030-01-01T12:00:02Z",
  worker: "worker-1:900",
  result: { released: 3 },
  error: null,
  ...overrides,
});

export const job = (overrides: Partial<PeriodicJob> = {}): PeriodicJob => ({
  job_name: "inventory.release_quarantine",
  description: "Put phone numbers whose quarantine has ended back in stock",
  schedule: "every 5m",
  default_schedule: "every 5m",
  enabled: true,
  next_run_at: "2030-01-01T12:05:00Z",
  last_run: run(),
  ...overrides,
});
