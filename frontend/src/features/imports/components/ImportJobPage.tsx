import { Stack } from "@mantine/core";
import { useParams } from "react-router";
import { DetailCard, DetailPage, Field, FieldGrid, PageHeader } from "@/components";
import { formatDateTime } from "@/lib/format";
import { isFinished, type ImportDetail } from "../api";
import { formatSize } from "../constants";
import { useLiveImport } from "../socket";
import { ImportErrors } from "./ImportErrors";
import { ImportProgressPanel } from "./ImportProgressPanel";

function ImportDetails({ job, live }: { job: ImportDetail; live: boolean }) {
  return (
    <>
      <PageHeader
        title={`Import #${job.import_id}`}
        description={`${job.dry_run ? "Dry run: subscribers" : "Subscribers"} from ${job.filename}`}
      />
      <Stack>
        <DetailCard>
          <ImportProgressPanel job={job} live={live} />
        </DetailCard>
        {isFinished(job.status) && job.failed > 0 && <ImportErrors job={job} />}
        <DetailCard>
          <FieldGrid cols={{ base: 2, sm: 4 }}>
            <Field label="File" testId="import-job-file">
              {job.filename}
            </Field>
            <Field label="Size">{formatSize(job.size_bytes)}</Field>
            <Field label="Uploaded">
              {formatDateTime(job.created_at)}
              {job.created_by_user_id !== null ? ` · user #${job.created_by_user_id}` : ""}
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
      query={query}
    >
      {(job) => <ImportDetails job={job} live={live} />}
    </DetailPage>
  );
}
