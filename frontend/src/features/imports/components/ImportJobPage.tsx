import { Stack } from "@mantine/core";
import { useParams } from "react-router";
import { DetailCard, DetailPage, Field, FieldGrid, PageHeader } from "@/components";
import { formatDateTime } from "@/lib/format";
import { isFinished, type ImportDetail } from "../api";
import { formatSize, IMPORT_KIND_LABELS } from "../constants";
import { useLiveImport } from "../socket";
import { ImportErrors } from "./ImportErrors";
import { ImportProgressPanel } from "./ImportProgressPanel";

/** "Subscribers from a.csv", "Dry run: stock (SIM Card) from b.csv". */
function descriptionOf(job: ImportDetail): string {
  const what = job.kind === "stock" ? `stock${job.template ? ` (${job.template})` : ""}` : "subscribers";
  const text = `${what} from ${job.filename}`;
  return job.dry_run ? `Dry run: ${text}` : text.charAt(0).toUpperCase() + text.slice(1);
}

function ImportDetails({ job, live }: { job: ImportDetail; live: boolean }) {
  return (
    <>
      <PageHeader title={`Import #${job.import_id}`} description={descriptionOf(job)} />
      <Stack>
        <DetailCard>
          <ImportProgressPanel job={job} live={live} />
        </DetailCard>
        {isFinished(job.status) && job.failed > 0 && <ImportErrors job={job} />}
        <DetailCard>
          <FieldGrid cols={{ base: 2, sm: 4 }}>
            <Field label="Kind" testId="import-job-kind">
              {IMPORT_KIND_LABELS[job.kind] ?? job.kind}
            </Field>
            {job.kind === "stock" && (
              <Field label="Template" testId="import-job-template">
                {job.template ?? "—"}
              </Field>
            )}
            <Field label="File" testId="import-job-file">
              {job.filename}
            </Field>
            <Field label="Size">{formatSize(job.size_bytes)}</Field>
            <Field label="Uploaded">
              {formatDateTime(job.created_at)}
              {job.created_by_user_id !== null
                ? ` · by ${job.created_by_user_name ?? `user #${job.created_by_user_id}`}`
                : ""}
            </Field>
            <Field label="SHA-256">
              <span style={{ fontFamily: "monospace", wordBreak: "break-all" }}>{job.file_hash}</span>
            </Field>
            <Field label="Started">{formatDateTime(job.started_at)}</Field>
            <Field label="Finished">{formatDateTime(job.finished_at)}</Field>
          </FieldGrid>
        </DetailCard>
      </Stack>
    </>
  );
}

/** One import: live progress (socket, else polling), then its summary and the rows that failed. */
export function ImportJobPage() {
  const importId = Number(useParams().importId);
  const { query, live } = useLiveImport(importId);
  return (
    <DetailPage
      testId="import-job-page"
      breadcrumbs={[{ label: "Imports", to: "/imports" }, { label: `#${importId}` }]}
      title={`Import #${importId}`}
      query={query}
    >
      {(job) => <ImportDetails job={job} live={live} />}
    </DetailPage>
  );
}
