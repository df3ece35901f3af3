import { Button, Card, Grid, Group, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { IconPackageImport } from "@tabler/icons-react";
import { Link } from "react-router";
import { usePermission } from "@/api";
import { ListFooter, ListTable, PageHeader, QueryState, RowLink, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { useListParams } from "@/lib/listParams";
import { useImports, type Import, type ImportKind } from "../api";
import { IMPORT_KIND_LABELS, IMPORT_KINDS, importPath } from "../constants";
import { importPercent } from "../progress";
import { DryRunBadge, ImportStatusBadge, KindIcon, TemplateBadge } from "./Badges";
import { ColumnsHelp } from "./ColumnsHelp";
import { UploadCard } from "./UploadCard";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

const count = { td: { ta: "right" as const } };

const COLUMNS: Column<Import>[] = [
  {
    // The kind is an icon (named by its label): the cell reads "#12".
    header: "Import",
    cell: (i) => (
      <Group gap={8} wrap="nowrap">
        <KindIcon job={i} testId="imports-row-kind" />
        <RowLink to={importPath(i.import_id)}>#{i.import_id}</RowLink>
      </Group>
    ),
  },
  {
    header: "Status",
    cell: (i) => (
      <Group gap={6} wrap="nowrap">
        <ImportStatusBadge status={i.status} testId="imports-row-status" />
        {i.dry_run && <DryRunBadge testId="imports-row-dry-run" />}
      </Group>
    ),
  },
  {
    header: "File",
    cell: (i) => (
      <Stack gap={4} align="flex-start">
        <Text size="sm" style={{ wordBreak: "break-all" }} data-testid="imports-row-file">
          {i.filename}
        </Text>
        {i.kind === "stock" && i.template && <TemplateBadge template={i.template} testId="imports-row-template" />}
      </Stack>
    ),
  },
  {
    header: "Rows",
    cell: (i) => (i.status === "running" ? `${i.processed}/${i.total} (${importPercent(i)}%)` : i.total),
    td: { ta: "right", style: { whiteSpace: "nowrap" } },
  },
  { header: "Created", cell: (i) => i.created, ...count },
  { header: "Updated", cell: (i) => i.updated, ...count },
  { header: "Unchanged", cell: (i) => i.unchanged, ...count },
  {
    header: "Failed",
    cell: (i) => (
      <Text size="sm" c={i.failed > 0 ? "red" : undefined} fw={i.failed > 0 ? 600 : undefined}>
        {i.failed}
      </Text>
    ),
    ...count,
  },
  {
    header: "Uploaded",
    cell: (i) => (
      <>
        <Text size="sm">{formatDateTime(i.created_at)}</Text>
        {i.created_by_user_name && (
          <Text size="xs" c="dimmed" data-testid="imports-row-uploader">
            by {i.created_by_user_name}
          </Text>
        )}
      </>
    ),
    td: { style: { whiteSpace: "nowrap" } },
  },
];

const FILTERS = ["kind"] as const;
const ALL = "all";

const isKind = (value: string): value is ImportKind => (IMPORT_KINDS as readonly string[]).includes(value);

/** Only subscriber imports, only stock imports, or both (kept in the URL as `?kind=`). */
function KindFilter({ value, onChange }: { value: ImportKind | undefined; onChange: (kind: string | null) => void }) {
  return (
    <SegmentedControl
      size="xs"
      value={value ?? ALL}
      onChange={(v) => onChange(v === ALL ? null : v)}
      data={[
        { value: ALL, label: "All kinds" },
        ...IMPORT_KINDS.map((k) => ({ value: k, label: IMPORT_KIND_LABELS[k] })),
      ]}
      data-testid="imports-filter-kind"
    />
  );
}

/**
 * Upload a subscribers CSV (with the columns it may have), and the imports so far, newest
 * first: subscribers and stock (whose upload is on the inventory's import page), or one kind.
 */
export function ImportsPage() {
  useDocumentTitle("Imports");
  const list = useListParams(FILTERS);
  const kind = isKind(list.params.kind) ? list.params.kind : undefined;
  const imports = useImports({ kind, page: list.paging.page, page_size: list.paging.page_size });
  const canImportStock = usePermission("inventory.write");
  return (
    <>
      <PageHeader
        title="Imports"
        description="Register subscribers in bulk from a CSV: customers with their primary contact and site, and the SIMs they buy. A worker applies the rows; bad rows are listed and change nothing. Stock imports are listed here too."
        actions={
          canImportStock && (
            <Button
              component={Link}
              to="/inventory/import"
              variant="default"
              leftSection={<IconPackageImport size={16} />}
              data-testid="imports-stock-link"
            >
              Import stock
            </Button>
          )
        }
      />
      <Grid mb="md">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <UploadCard title="Upload subscribers" target={{ kind: "subscribers" }} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <ColumnsHelp />
        </Grid.Col>
      </Grid>
      <Card withBorder radius="md" padding="md">
        <Group justify="space-between" mb="md">
          <Title order={5}>Past imports</Title>
          <KindFilter value={kind} onChange={(k) => list.setParams({ kind: k })} />
        </Group>
        <QueryState query={imports}>
          {({ items }) => (
            <ListTable
              rows={items}
              columns={COLUMNS}
              rowKey={(i) => i.import_id}
              href={(i) => importPath(i.import_id)}
              rowData={(i) => ({
                "data-testid": "imports-row",
                "data-import-id": i.import_id,
                "data-kind": i.kind,
                "data-status": i.status,
                "data-dry-run": String(i.dry_run),
              })}
              empty={kind ? `No ${IMPORT_KIND_LABELS[kind].toLowerCase()} imports yet` : "No imports yet"}
              testId="imports-table"
              loading={imports.isPlaceholderData}
            />
          )}
        </QueryState>
        <ListFooter
          pagination={imports.data?.pagination}
          pageSize={list.pageSize}
          noun="imports"
          onPage={list.setPage}
          onPageSize={list.setPageSize}
        />
      </Card>
    </>
  );
}
