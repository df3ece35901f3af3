import { Alert, Anchor, Button, Card, Group, List, Progress, Stack, Switch, Text, Title } from "@mantine/core";
import { IconAlertTriangle, IconFileSpreadsheet, IconUpload } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type DragEvent } from "react";
import { Link, useNavigate } from "react-router";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { fileProblems, importInProgress, importKeys, uploadSubscribers, type ImportDetail } from "../api";
import { formatSize, importPath } from "../constants";

type Failure =
  | { kind: "file"; problems: string[] }
  | { kind: "conflict"; message: string; importId: number | null }
  | { kind: "other"; message: string };

function failureOf(error: unknown): Failure {
  const problems = fileProblems(error);
  if (problems) return { kind: "file", problems };
  const conflict = importInProgress(error);
  if (conflict) return { kind: "conflict", ...conflict };
  return { kind: "other", message: errorMessage(error) };
}

/**
 * Pick (or drop) a CSV, optionally as a dry run, and upload it with a progress bar. The file's
 * structure is checked at once (422: shown here); a good file is queued (202) and the import's
 * page opens. The same file while it is being imported is a 409 naming that import.
 */
export function UploadCard() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const pick = (picked: File | null | undefined) => {
    setFile(picked ?? null);
    setFailure(null);
    setProgress(null);
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    pick(event.dataTransfer.files[0]);
  };

  const upload = async () => {
    if (!file) return;
    setBusy(true);
    setFailure(null);
    setProgress(0);
    let started: ImportDetail;
    try {
      started = await uploadSubscribers({ file, dryRun, onProgress: setProgress });
    } catch (error) {
      setFailure(failureOf(error));
      setProgress(null);
      setBusy(false);
      return;
    }
    setProgress(1);
    setBusy(false);
    queryClient.setQueryData(importKeys.detail(started.import_id), started);
    void queryClient.invalidateQueries({ queryKey: importKeys.lists() });
    notifySuccess(`${started.dry_run ? "Dry run" : "Import"} #${started.import_id} queued: ${started.total} rows.`);
    void navigate(importPath(started.import_id));
  };

  const uploading = busy && progress !== null && progress < 1;

  return (
    <Card withBorder radius="md" padding="lg" data-testid="imports-upload">
      <Title order={5} mb="md">
        Upload subscribers
      </Title>
      <Stack>
        <div
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          data-testid="imports-dropzone"
          style={{
            border: `2px dashed var(--mantine-color-${dragging ? "blue-5" : "gray-4"})`,
            borderRadius: "var(--mantine-radius-md)",
            padding: "var(--mantine-spacing-xl)",
            textAlign: "center",
            background: dragging ? "var(--mantine-color-blue-0)" : undefined,
          }}
        >
          <Stack align="center" gap="xs">
            <IconFileSpreadsheet size={36} stroke={1.5} />
            <Text size="sm" data-testid="imports-file-name">
              {file ? `${file.name} (${formatSize(file.size)})` : "Drop a CSV file here, or"}
            </Text>
            <Button variant="default" size="xs" onClick={() => input.current?.click()} disabled={busy}>
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
              data-testid="imports-file"
            />
          </Stack>
        </div>
        <Group justify="space-between" align="flex-end">
          <Switch
            label="Dry run only"
            description="Check every row (stock included) and write nothing"
            checked={dryRun}
            onChange={(e) => setDryRun(e.currentTarget.checked)}
            disabled={busy}
            data-testid="imports-dry-run"
          />
          <Button
            leftSection={<IconUpload size={16} />}
            disabled={!file || busy}
            loading={busy}
            onClick={() => void upload()}
            data-testid="imports-submit"
          >
            Upload
          </Button>
        </Group>
        {progress !== null && (
          <Stack gap={4}>
            <Progress
              value={Math.round(progress * 100)}
              animated={busy}
              aria-label="Upload progress"
              data-testid="imports-upload-progress"
            />
            <Text size="xs" c="dimmed" data-testid="imports-upload-progress-label">
              {uploading
                ? `Uploading… ${Math.round(progress * 100)}%`
                : busy
                  ? "Uploaded; the server is checking the file's structure…"
                  : "Uploaded"}
            </Text>
          </Stack>
        )}
        {failure?.kind === "file" && (
          <Alert
            color="red"
            icon={<IconAlertTriangle size={18} />}
            title="The file was refused: nothing was imported"
            data-testid="imports-file-error"
          >
            <List size="sm" spacing={2}>
              {failure.problems.map((line) => (
                <List.Item key={line} data-testid="imports-file-problem">
                  {line}
                </List.Item>
              ))}
            </List>
            <Text size="sm" mt="xs">
              Fix the file (UTF-8, a header row naming the columns listed here, at least one row) and upload it again.
            </Text>
          </Alert>
        )}
        {failure?.kind === "conflict" && (
          <Alert
            color="orange"
            icon={<IconAlertTriangle size={18} />}
            title="This file is being imported already"
            data-testid="imports-conflict"
          >
            <Text size="sm">
              {failure.importId !== null ? (
                <>
                  Follow{" "}
                  <Anchor component={Link} to={importPath(failure.importId)} data-testid="imports-conflict-link">
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
            data-testid="imports-upload-error"
          >
            <Text size="sm">{failure.message}</Text>
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
