import { Alert, Anchor, Button, Card, Group, NativeSelect, Progress, Stack, Table, Text } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck, IconFileSpreadsheet, IconUpload } from "@tabler/icons-react";
import { useRef, useState, type DragEvent } from "react";
import { Link } from "react-router";
import { isApiError } from "@/api";
import { PageBreadcrumbs, PageHeader } from "@/components";
import { errorMessage } from "@/lib/notify";
import {
  rowErrorsOf,
  uploadInventoryCsv,
  useInvalidateInventory,
  useTemplates,
  type ImportResult,
  type ImportRowError,
} from "../api";
import { itemsUrl } from "./StockPage";

/** The CSV columns each built-in template expects (docs/inventory.md). */
const COLUMNS: Record<string, string> = {
  "SIM Card": "iccid, imsi[, puk1, puk2, ki_ref]",
  "Phone Number": "msisdn",
  Router: "mac[, serial_number, management_url]",
};

type Outcome =
  | { kind: "result"; result: ImportResult }
  | { kind: "rows"; rows: ImportRowError[]; total: number; message: string }
  | { kind: "error"; message: string; details: string[] };

function fileErrorDetails(error: unknown): string[] {
  if (!isApiError(error)) return [];
  const b = error.body;
  const list = (key: string, label: string) =>
    Array.isArray(b[key]) && (b[key] as unknown[]).length ? [`${label}: ${(b[key] as unknown[]).join(", ")}`] : [];
  return [
    ...list("unknown_headers", "Unknown columns"),
    ...list("missing_headers", "Missing columns"),
    ...list("expected_headers", "Expected columns"),
  ];
}

export function ImportPage() {
  const templates = useTemplates();
  const invalidate = useInvalidateInventory();
  const [template, setTemplate] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState<"validate" | "import" | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const pick = (picked: File | null | undefined) => {
    setFile(picked ?? null);
    setOutcome(null);
    setProgress(null);
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    pick(event.dataTransfer.files[0]);
  };

  const run = async (dryRun: boolean) => {
    if (!file || !template) return;
    setBusy(dryRun ? "validate" : "import");
    setOutcome(null);
    setProgress(0);
    try {
      const result = await uploadInventoryCsv({ file, template, dryRun, onProgress: setProgress });
      setProgress(1);
      setOutcome({ kind: "result", result });
      if (!dryRun) void invalidate();
    } catch (error) {
      const rows = rowErrorsOf(error);
      if (rows) setOutcome({ kind: "rows", ...rows, message: errorMessage(error) });
      else setOutcome({ kind: "error", message: errorMessage(error), details: fileErrorDetails(error) });
    } finally {
      setBusy(null);
    }
  };

  const uploading = busy !== null && progress !== null && progress < 1;
  const ready = !!file && !!template && busy === null;

  return (
    <>
      <PageBreadcrumbs items={[{ label: "Inventory", to: "/inventory" }, { label: "Import" }]} />
      <PageHeader
        title="Import inventory"
        description="Upload a UTF-8 CSV with a header row (≤ 5 MB, ≤ 50,000 rows). Every row must be valid, or nothing is imported."
      />
      <Card withBorder radius="md" padding="lg">
        <Stack>
          <NativeSelect
            label="Item type"
            data={[{ value: "", label: "Pick a template…" }, ...(templates.data ?? []).map((t) => t.item)]}
            value={template ?? ""}
            onChange={(e) => {
              setTemplate(e.currentTarget.value || null);
              setOutcome(null);
            }}
            description={
              template
                ? `Columns: ${COLUMNS[template] ?? "serial[, itemtext1..itemtext20, management_url]"}`
                : undefined
            }
            w={360}
            data-testid="import-template"
          />
          <div
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            data-testid="import-dropzone"
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
              <Text size="sm">
                {file ? `${file.name} (${(file.size / 1024).toFixed(1)} KB)` : "Drop a CSV file here, or"}
              </Text>
              <Button variant="default" size="xs" onClick={() => input.current?.click()}>
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
                data-testid="import-file"
              />
            </Stack>
          </div>
          <Group>
            <Button
              variant="default"
              disabled={!ready}
              loading={busy === "validate"}
              onClick={() => void run(true)}
              data-testid="import-validate"
            >
              Validate
            </Button>
            <Button
              leftSection={<IconUpload size={16} />}
              disabled={!ready}
              loading={busy === "import"}
              onClick={() => void run(false)}
              data-testid="import-submit"
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
                data-testid="import-progress"
              />
              <Text size="xs" c="dimmed" data-testid="import-progress-label">
                {uploading
                  ? `Uploading… ${Math.round(progress * 100)}%`
                  : busy !== null
                    ? "Uploaded; the server is checking every row…"
                    : "Done"}
              </Text>
            </Stack>
          )}
        </Stack>
      </Card>

      {outcome?.kind === "result" && (
        <Alert
          mt="md"
          color="teal"
          icon={<IconCircleCheck size={18} />}
          title={outcome.result.dry_run ? "The file is valid" : "Imported"}
          data-testid="import-summary"
        >
          {outcome.result.dry_run ? (
            <>All {outcome.result.rows} rows are valid; nothing was written yet. Press Import to add them.</>
          ) : (
            <>
              Created {outcome.result.created} {outcome.result.template} items.{" "}
              <Anchor component={Link} to={itemsUrl(outcome.result.template, "new")}>
                See them
              </Anchor>
            </>
          )}
        </Alert>
      )}
      {outcome?.kind === "error" && (
        <Alert
          mt="md"
          color="red"
          icon={<IconAlertTriangle size={18} />}
          title="The file was refused"
          data-testid="import-file-error"
        >
          <Text size="sm">{outcome.message}</Text>
          {outcome.details.map((d) => (
            <Text key={d} size="sm">
              {d}
            </Text>
          ))}
        </Alert>
      )}
      {outcome?.kind === "rows" && (
        <Card withBorder radius="md" padding="lg" mt="md">
          <Alert color="red" icon={<IconAlertTriangle size={18} />} mb="md" title={outcome.message}>
            {outcome.total} problem{outcome.total === 1 ? "" : "s"}
            {outcome.total > outcome.rows.length ? ` (the first ${outcome.rows.length} are listed)` : ""}. Fix the file
            and validate again.
          </Alert>
          <Table.ScrollContainer minWidth={500}>
            <Table striped verticalSpacing="xs" data-testid="import-errors">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={80}>Row</Table.Th>
                  <Table.Th w={160}>Column</Table.Th>
                  <Table.Th>Problem</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {outcome.rows.map((r, i) => (
                  <Table.Tr key={`${r.row}-${r.field}-${i}`}>
                    <Table.Td>{r.row}</Table.Td>
                    <Table.Td ff="monospace">{r.field}</Table.Td>
                    <Table.Td>{r.message}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
    </>
  );
}
