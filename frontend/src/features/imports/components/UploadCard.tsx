import { Alert, Anchor, Button, Card, Group, Progress, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle, IconChecklist, IconFileSpreadsheet, IconUpload } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type DragEvent, type ReactNode } from "react";
import { Link, useNavigate } from "react-router";
import { errorMessage, notifySuccess } from "@/lib/notify";
import {
  fileRefusal,
  importInProgress,
  importKeys,
  uploadImport,
  type FileRefusal,
  type ImportDetail,
  type UploadTarget,
} from "../api";
import { formatSize, importPath } from "../constants";
import { FileRefusalAlert } from "./FileRefusalAlert";

type Failure =
  | { kind: "file"; refusal: FileRefusal }
  | { kind: "conflict"; message: string; importId: number | null }
  | { kind: "other"; message: string };

function failureOf(error: unknown): Failure {
  const refusal = fileRefusal(error);
  if (refusal) return { kind: "file", refusal };
  const conflict = importInProgress(error);
  if (conflict) return { kind: "conflict", ...conflict };
  return { kind: "other", message: errorMessage(error) };
}

/** Tells targets apart: a failure is shown only for the target (and file) it was about. */
const targetKey = (target: UploadTarget | null) =>
  target === null ? "" : target.kind === "stock" ? `stock:${target.template}` : target.kind;

export interface UploadCardProps {
  title: string;
  /** What the file imports; null while something it needs is not chosen yet (a stock template). */
  target: UploadTarget | null;
  /** Controls above the file, e.g. the stock template's select. */
  children?: ReactNode;
  /** The import was queued (202): by default its page opens. */
  onStarted?: (job: ImportDetail) => void;
  /** The test ids' prefix: "imports" → imports-file, imports-validate, imports-submit, ... */
  testId?: string;
}

/**
 * Pick (or drop) a CSV and upload it with a progress bar, to validate it (a dry run: every row
 * checked, nothing written) or to import it. The file's structure is checked at once (422: each
 * problem shown here); a good file is queued (202) and, unless `onStarted` says otherwise, the
 * import's page opens. The same file while it is being imported is a 409 naming that import.
 * Subscribers and stock (with its template) go through this same card.
 */
export function UploadCard({ title, target, children, onStarted, testId = "imports" }: UploadCardProps) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState<"validate" | "import" | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [failed, setFailed] = useState<{ failure: Failure; target: string } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  // A failure about another template's headers is not this one's.
  const failure = failed && failed.target === targetKey(target) ? failed.failure : null;

  const pick = (picked: File | null | undefined) => {
    setFile(picked ?? null);
    setFailed(null);
    setProgress(null);
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    pick(event.dataTransfer.files[0]);
  };

  const upload = async (dryRun: boolean) => {
    if (!file || !target) return;
    setBusy(dryRun ? "validate" : "import");
    setFailed(null);
    setProgress(0);
    let started: ImportDetail;
    try {
      started = await uploadImport({ target, file, dryRun, onProgress: setProgress });
    } catch (error) {
      setFailed({ failure: failureOf(error), target: targetKey(target) });
      setProgress(null);
      setBusy(null);
      return;
    }
    setProgress(1);
    setBusy(null);
    queryClient.setQueryData(importKeys.detail(started.import_id), started);
    void queryClient.invalidateQueries({ queryKey: importKeys.lists() });
    notifySuccess(`${started.dry_run ? "Dry run" : "Import"} #${started.import_id} queued: ${started.total} rows.`);
    if (onStarted) onStarted(started);
    else void navigate(importPath(started.import_id));
  };

  const uploading = busy !== null && progress !== null && progress < 1;
  const ready = !!file && !!target && busy === null;

  return (
    <Card withBorder radius="md" padding="lg" data-testid={`${testId}-upload`}>
      <Title order={5} mb="md">
        {title}
      </Title>
      <Stack>
        {children}
        <div
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          data-testid={`${testId}-dropzone`}
          style={{
            border: `2px dashed var(--mantine-color-${dragging ? "blue-5" : "gray-4"})`,
            borderRadius: "var(--mantine-radius-md)",
            padding: "var(--mantine-spacing-xl)",
            textAlign: "center",
            background: dragging ? "var(--mantine-color-blue-light)" : undefined,
          }}
        >
          <Stack align="center" gap="xs">
            <IconFileSpreadsheet size={36} stroke={1.5} />
            <Text size="sm" data-testid={`${testId}-file-name`}>
              {file ? `${file.name} (${formatSize(file.size)})` : "Drop a CSV file here, or"}
            </Text>
            <Button variant="default" size="xs" onClick={() => input.current?.click()} disabled={busy !== null}>
              {file ? "Choose another file" : "Choose a file"}
            </Button>
            <input
              ref={input}
              type="file"
              accept=".csv,text/csv"
              hidden
              aria-label="CSV file"
              onChange={(e) => {
                pick(e.currentTarget.files?.[0]);
                e.currentTarget.value = "";
              }}
              data-testid={`${testId}-file`}
            />
          </Stack>
        </div>
        <Group justify="flex-end">
          <Button
            variant="default"
            leftSection={<IconChecklist size={16} />}
            disabled={!ready}
            loading={busy === "validate"}
            onClick={() => void upload(true)}
            title="Check every row and write nothing"
            data-testid={`${testId}-validate`}
          >
            Validate (dry run)
          </Button>
          <Button
            leftSection={<IconUpload size={16} />}
            disabled={!ready}
            loading={busy === "import"}
            onClick={() => void upload(false)}
            data-testid={`${testId}-submit`}
          >
            Import
          </Button>
        </Group>
        {progress !== null && (
          <Stack gap={4}>
            <Progress
              value={Math.round(progress * 100)}
              animated={busy !== null}
              aria-label="Upload progress"
              data-testid={`${testId}-upload-progress`}
            />
            <Text size="xs" c="dimmed" data-testid={`${testId}-upload-progress-label`}>
              {uploading
                ? `Uploading… ${Math.round(progress * 100)}%`
                : busy !== null
                  ? "Uploaded; the server is checking the file's structure…"
                  : "Uploaded"}
            </Text>
          </Stack>
        )}
        {failure?.kind === "file" && <FileRefusalAlert refusal={failure.refusal} testId={testId} />}
        {failure?.kind === "conflict" && (
          <Alert
            color="orange"
            icon={<IconAlertTriangle size={18} />}
            title="This file is being imported already"
            data-testid={`${testId}-conflict`}
          >
            <Text size="sm">
              {failure.importId !== null ? (
                <>
                  Follow{" "}
                  <Anchor component={Link} to={importPath(failure.importId)} data-testid={`${testId}-conflict-link`}>
                    import #{failure.importId}
                  </Anchor>
                  ; once it is done, uploading the same file again changes nothing.
                </>
              ) : (
                failure.message
              )}
            </Text>
          </Alert>
        )}
        {failure?.kind === "other" && (
          <Alert
            color="red"
            icon={<IconAlertTriangle size={18} />}
            title="The upload failed"
            data-testid={`${testId}-upload-error`}
          >
            <Text size="sm">{failure.message}</Text>
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
