import { Card, Grid, Group, Text, Title } from "@mantine/core";
import { ListFooter, ListTable, PageHeader, QueryState, RowLink, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { useListParams } from "@/lib/listParams";
import { useImports, type Import } from "../api";
import { importPath } from "../constants";
import { importPercent } from "../progress";
import { DryRunBadge, ImportStatusBadge } from "./Badges";
import { ColumnsHelp } from "./ColumnsHelp";
import { UploadCard } from "./UploadCard";

const count = { td: { ta: "right" as const } };

const COLUMNS: Column<Import>[] = [
  { header: "Import", cell: (i) => <RowLink to={importPath(i.import_id)}>#{i.import_id}</RowLink> },
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
      <Text size="sm" style={{ wordBreak: "break-all" }} data-testid="imports-row-file">
        {i.filename}
      </Text>
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
  { header: "Uploaded", cell: (i) => formatDateTime(i.created_at), td: { style: { whiteSpace: "nowrap" } } },
];

/** Upload a subscribers CSV (with the columns it may have), and the imports so far, newest first. */
export function ImportsPage() {
  const list = useListParams([]);
  const imports = useImports({ page: list.paging.page, page_size: list.paging.page_size });
  return (
    <>
      <PageHeader
        title="Imports"
        description="Register subscribers in bulk from a CSV: customers with their primary contact and site, and the SIMs they buy. A worker applies the rows; bad rows are listed and change nothing."
      />
      <Grid mb="md">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <UploadCard />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <ColumnsHelp />
        </Grid.Col>
      </Grid>
      <Card withBorder radius="md" padding="md">
        <Title order={5} mb="md">
          Past imports
        </Title>
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
                "data-status": i.status,
                "data-dry-run": String(i.dry_run),
              })}
              empty="No imports yet"
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
