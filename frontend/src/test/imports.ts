/** Imports (subscribers, stock) and their progress messages as the API sends them (for any feature's tests). */
import type { Import, ImportDetail, ImportProgress } from "@/features/imports";

export const importDetail = (overrides: Partial<ImportDetail> = {}): ImportDetail => ({
  import_id: 5,
  kind: "subscribers",
  template: null,
  status: "queued",
  dry_run: false,
  filename: "subscribers.csv",
  file_hash: "a".repeat(64),
  size_bytes: 2048,
  total: 8,
  processed: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  failed: 0,
  error: null,
  created_by_user_id: 1,
  created_by_user_name: "Ada Admin",
  created_at: "2026-03-01T10:00:00+00:00",
  started_at: null,
  finished_at: null,
  errors: [],
  ...overrides,
});

/** A stock import of SIM cards (import 5, queued). */
export const stockImport = (overrides: Partial<ImportDetail> = {}): ImportDetail =>
  importDetail({ kind: "stock", template: "SIM Card", filename: "sims.csv", ...overrides });

export const importRow = (overrides: Partial<Import> = {}): Import => {
  const { errors, ...row } = importDetail(overrides);
  return row;
};

/** An `import.progress` message for import 5. */
export const progress = (overrides: Partial<ImportProgress> = {}): ImportProgress => ({
  import_id: 5,
  status: "running",
  dry_run: false,
  total: 8,
  processed: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  failed: 0,
  error: null,
  started_at: "2026-03-01T10:00:00+00:00",
  ...overrides,
});
