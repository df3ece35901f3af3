import type { ChargingThreshold, LiveEvent, LiveStatus, ProvisionDashboard, ProvisionEvent } from "./api";
import { STATUS_LABELS } from "./constants";

export const event = (n: number, overrides: Partial<ProvisionEvent> = {}): ProvisionEvent => {
  const status = overrides.provisioning_status ?? 0;
  return {
    provision_event_id: 100 + n,
    provision_id: 9,
    event_number: n,
    event_name: `Task ${n}`,
    attempt: 1,
    host: "localhost",
    changed: n % 2 === 0,
    skipped: false,
    provisioning_status: status,
    status_label: STATUS_LABELS[status],
    provisioning_result_json: { changed: n % 2 === 0, msg: `message ${n}`, stdout: `output ${n}` },
    task_finished_at: "2025-03-01T10:00:05Z",
    created_at: "2025-03-01T10:00:05Z",
    ...overrides,
  };
};

export const liveEvent = (n: number, overrides: Partial<LiveEvent> = {}): LiveEvent => ({
  ...event(n, overrides),
  tasks_done: n,
  task_count: 4,
  ...overrides,
});

export const liveStatus = (status: number, overrides: Partial<LiveStatus> = {}): LiveStatus => ({
  provision_id: 9,
  provisioning_status: status,
  status_label: STATUS_LABELS[status],
  service_id: 21,
  customer_id: 7,
  provisioning_play: "mobile_activate",
  action: "activate",
  attempts: 1,
  retries: 0,
  tasks_done: status === 0 ? 4 : 0,
  task_count: 4,
  error: null,
  ...overrides,
});

export const dashboard = (overrides: Partial<ProvisionDashboard> = {}): ProvisionDashboard => ({
  counts: { success: 40, running: 2, failed: 3, failed_ignored: 0, queued: 5, cancelled: 1 },
  series: [
    { hour: "2025-03-01T08:00:00Z", succeeded: 10, failed: 0, success_rate: 1 },
    { hour: "2025-03-01T09:00:00Z", succeeded: 0, failed: 0, success_rate: null },
    { hour: "2025-03-01T10:00:00Z", succeeded: 6, failed: 2, success_rate: 0.75 },
  ],
  generated_at: "2025-03-01T10:30:00Z",
  ...overrides,
});

export const threshold = (overrides: Partial<ChargingThreshold> = {}): ChargingThreshold => ({
  service_id: 42,
  customer_id: 7,
  threshold: "data:80",
  balance_type: "data",
  percent_used: 80,
  below: null,
  value: "100.0000",
  ...overrides,
});
