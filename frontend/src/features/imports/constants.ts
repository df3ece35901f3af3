import type { MantineColor } from "@mantine/core";
import type { ImportKind, ImportStatus } from "./api/types";

export const IMPORT_STATUSES = ["queued", "running", "done", "failed"] as const satisfies readonly ImportStatus[];

export const IMPORT_STATUS_LABELS: Record<ImportStatus, string> = {
  queued: "Queued",
  running: "Running",
  done: "Done",
  failed: "Failed",
};

export const IMPORT_STATUS_COLORS: Record<ImportStatus, MantineColor> = {
  queued: "gray",
  running: "blue",
  done: "teal",
  failed: "red",
};

export const IMPORT_KINDS = ["subscribers", "stock"] as const satisfies readonly ImportKind[];

export const IMPORT_KIND_LABELS: Record<ImportKind, string> = {
  subscribers: "Subscribers",
  stock: "Stock",
};

/** "Subscribers", or "Stock: SIM Card" for a stock import (its inventory template). */
export const importKindLabel = (job: { kind: ImportKind; template?: string | null }) =>
  job.kind === "stock" && job.template ? `${IMPORT_KIND_LABELS.stock}: ${job.template}` : IMPORT_KIND_LABELS[job.kind];

/** What each `problems[].problem` of a 422 `invalid_file` says, before the headers concerned. */
export const HEADER_PROBLEM_LABELS: Record<string, string> = {
  unknown_headers: "Unknown headers",
  missing_headers: "Missing headers",
  missing_key: "One of these headers is needed",
  repeated_headers: "Repeated headers",
};

export interface ColumnGroup {
  label: string;
  /** `oneOf`: the file needs external_id or email (how a customer is recognised). */
  columns: { name: string; required?: boolean; oneOf?: boolean; hint?: string }[];
}

/**
 * The subscriber CSV's columns: the API's own field names (docs/imports.md). `customer_name` is
 * required; a file needs `external_id` or `email` (how a customer is recognised).
 */
export const COLUMN_GROUPS: ColumnGroup[] = [
  {
    label: "Customer",
    columns: [
      { name: "external_id", oneOf: true, hint: "or email: how a customer is recognised" },
      { name: "customer_name", required: true },
      { name: "email", oneOf: true, hint: "or external_id: how a customer is recognised" },
      { name: "phone" },
      { name: "customer_account_type" },
      { name: "customer_payment_type" },
      { name: "currency" },
      { name: "tax_identifier" },
      { name: "notes" },
    ],
  },
  {
    label: "Primary contact",
    columns: [
      { name: "contact_firstname", hint: "required with any contact column" },
      { name: "contact_lastname" },
      { name: "contact_email" },
      { name: "contact_phone" },
    ],
  },
  {
    label: "Site",
    columns: [
      { name: "site_name", hint: "required with any site column" },
      { name: "address_line_1" },
      { name: "address_line_2" },
      { name: "city" },
      { name: "state" },
      { name: "zip_code" },
      { name: "country" },
    ],
  },
  {
    label: "Sale",
    columns: [
      { name: "product_slug", hint: "with sim_iccid: sells that product" },
      { name: "sim_iccid" },
      { name: "msisdn" },
    ],
  },
];

export const COLUMNS = COLUMN_GROUPS.flatMap((g) => g.columns.map((c) => c.name));

export const importPath = (importId: number) => `/imports/${importId}`;

/** 2048 → "2.0 KB", 3_500_000 → "3.3 MB". */
export const formatSize = (bytes: number) =>
  bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
