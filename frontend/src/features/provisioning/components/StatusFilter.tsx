import { MultiSelect } from "@mantine/core";
import { JOB_STATUSES, STATUS_LABELS } from "../constants";

/** Job statuses as a comma-separated list of codes ("2,5"), as kept in the URL. */
export function StatusFilter({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <MultiSelect
      placeholder={value ? undefined : "Status"}
      data={JOB_STATUSES.map((s) => ({ value: String(s), label: STATUS_LABELS[s] }))}
      value={value ? value.split(",") : []}
      onChange={(v) => onChange(v.join(","))}
      clearable
      miw={160}
      maw={360}
      data-testid="provision-filter-status"
    />
  );
}

/** "2,5" → [2, 5] for the `provisioning_status` query (repeated parameter). */
export function statusCodes(value: string) {
  const codes = value
    .split(",")
    .filter((v) => /^[0-5]$/.test(v))
    .map(Number) as (0 | 1 | 2 | 3 | 4 | 5)[];
  return codes.length ? codes : undefined;
}
